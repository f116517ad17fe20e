// 小区 / 楼幢 / 单元 out of an address as the departments write it
// (浙江省杭州市拱墅区小河街道景芳新村7幢2单元301室), or null when it names no building.
export function placeParts(address) {
  if (!address) return null
  const wide = address.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
  const local = wide.split(/街道|镇|区/).pop()
  const match = /^(.+?)(\d+)\s*(?:幢|栋|号楼|座)(?:(\d+)单元)?/.exec(local)
  if (!match) return null
  return { estate: match[1], building: match[2], unit: match[3] || '' }
}
