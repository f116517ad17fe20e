// Labels of the data standard's fields, and how a value reads on screen: masked values as the
// hub masked them (marked 已脱敏), absent ones (the role may not see them, or no department has
// them) as a dash.
export const LABELS = {
  name: '姓名', gender: '性别', birthDate: '出生日期', idNumber: '身份证号', ethnicity: '民族', phone: '电话',
  hukouAddress: '户籍地址', residenceAddress: '居住地址', householdNo: '户号', relationToHead: '与户主关系',
  careLevel: '照护等级', livingAlone: '独居', subsidyType: '补贴类型', subsidyAmount: '补贴金额', disabilityGrade: '残疾等级',
  level: '层级', address: '地址', estateName: '小区', floors: '层数', units: '单元数', builtYear: '建成年份',
  propertyCompany: '物业公司', areaSqm: '面积（㎡）', eventType: '类型', occurredAt: '发生时间', category: '类别',
  title: '标题', status: '状态', installedAt: '安装日期', lastInspectedAt: '最近检查', jurisdiction: '辖区',
}
export const CONNECTORS = { police: '公安', civil: '民政', urban: '城管', property: '物业', hotline: '12345' }

export function masked(value) {
  return typeof value === 'string' && value.includes('*')
}

export function shown(value) {
  if (value === null || value === undefined || value === '') return '—'
  if (value === true) return '是'
  if (value === false) return '否'
  return String(value)
}

// The stream event types' Chinese names (as connectors/stream_config.py names them).
export const EVENT_TYPES = {
  smoke_alarm: '烟感报警', gas_alarm: '燃气报警', door_access: '门禁通行', water_use: '用水', lift_fault: '电梯故障',
  high_throw: '高空抛物', fire_lane_blocked: '消防通道占用', ebike_in_lift: '电动车进电梯', crowd: '人员聚集',
  streetlight_fault: '路灯故障', device_offline: '设备离线',
}
