"""What residents write: topics with sentence templates, their seasons and their keywords.

`{where}` becomes a building or estate; each topic's `truth` keywords are what a good hotspot
detector should name when the topic bursts (the ground truth of the planted hotspots).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    category: str  # taxonomy code the hub should assign
    weight: float  # share of ordinary opinions
    truth: tuple[str, ...]
    templates: tuple[str, ...]
    months: tuple[int, ...] = ()  # seasonal: only (or mostly) in these months


def _t(*lines: str) -> tuple[str, ...]:
    return lines


TOPICS: tuple[Topic, ...] = (
    Topic("parking", "traffic", 14, ("停车位", "停车", "车位", "停车难"), _t(
        "{where}停车位太少了，晚上下班回来根本找不到车位，只能停到马路上。",
        "小区里停车难的问题什么时候能解决？外来车辆随便进来占车位。",
        "{where}楼下乱停车严重，消防车都进不来，建议重新规划车位划线。",
        "停车收费标准不透明，希望公开停车费用途。",
    )),
    Topic("ebike", "traffic", 7, ("充电桩", "电动车充电", "电动车", "充电难"), _t(
        "{where}附近没有电动车充电桩，大家只能拉电线充电，希望增设充电棚。",
        "充电桩数量太少，每天晚上排队充电，电动车充电难。",
        "建议在{where}旁边建一个电动自行车充电棚，方便居民。",
    )),
    Topic("garbage", "environment", 10, ("垃圾", "垃圾清运", "垃圾桶", "垃圾分类"), _t(
        "{where}的垃圾桶满了好几天没人清运，味道很大。",
        "垃圾分类投放点离得太远，老人扔垃圾不方便，能不能增加一个点。",
        "有人不按垃圾分类乱扔垃圾，{where}门口堆了很多建筑垃圾。",
    )),
    Topic("noise", "environment", 6, ("噪音", "噪音扰民", "广场舞"), _t(
        "晚上十点以后广场舞音乐还很响，噪音扰民，影响休息。",
        "{where}旁边工地夜间施工，噪音太大，孩子睡不着。",
        "楼上装修噪音从早到晚，周末也不停。",
    )),
    Topic("elevator_install", "housing", 6, ("加装电梯", "电梯", "加装"), _t(
        "{where}是老小区，我们想加装电梯，请问申请流程怎么走？",
        "加装电梯一楼住户不同意，能不能请社区出面协调？",
        "加装电梯的费用怎么分摊，政府补贴有多少？",
    )),
    Topic("property", "housing", 8, ("物业", "物业服务", "物业费", "报修"), _t(
        "物业服务太差了，报修了一个星期都没人来。",
        "{where}的楼道灯坏了很久，物业一直不修。",
        "物业费涨了但是服务没有提高，希望业委会监督。",
    )),
    Topic("elderly_meal", "livelihood", 5, ("老年食堂", "助餐", "老人", "送餐"), _t(
        "希望社区开一个老年食堂，我们老人做饭不方便。",
        "老年食堂的饭菜太咸了，品种也少，能不能改进一下？",
        "行动不便的老人能不能提供送餐上门的助餐服务？",
    )),
    Topic("greening", "environment", 4, ("绿化", "修剪树木", "树枝"), _t(
        "{where}门口的树枝挡住了窗户，希望修剪树木。",
        "有人毁绿种菜，绿化带都被挖了。",
    )),
    Topic("fitness", "community", 4, ("健身器材", "健身", "活动中心"), _t(
        "{where}的健身器材坏了，存在安全隐患，希望更换。",
        "社区能不能多组织一些文体活动，活动中心经常关门。",
    )),
    Topic("flying_wire", "safety", 3, ("飞线充电", "电瓶车上楼", "消防"), _t(
        "{where}有人从楼上拉线给电瓶车充电，飞线充电太危险了。",
        "电瓶车上楼充电屡禁不止，消防隐患很大。",
    )),
    Topic("rental", "safety", 2, ("群租房", "群租", "租客"), _t(
        "{where}有一套房子住了十几个人，群租房安全隐患大，进出人员复杂。",
    )),
    Topic("road", "traffic", 3, ("道路", "路面", "坑洼"), _t(
        "小区门口路面坑洼不平，下雨天全是积水。",
        "人行道被占用，盲道上停满了车。",
    )),
    # seasonal topics: common only in their months
    Topic("plum_rain", "housing", 0, ("漏水", "渗水", "屋顶漏水", "外墙渗水"), _t(
        "梅雨季节{where}屋顶漏水，家里墙面都发霉了。",
        "下雨外墙渗水，卧室墙皮脱落，希望维修基金尽快启用。",
        "{where}顶楼漏水严重，雨水顺着墙往下流。",
    ), months=(6, 7)),
    Topic("mosquito", "environment", 0, ("蚊子", "蚊虫", "消杀"), _t(
        "天气热了蚊子特别多，希望社区组织消杀。",
        "{where}旁边的绿化带积水，蚊虫滋生，晚上被咬得睡不着。",
    ), months=(7, 8)),
    Topic("school", "livelihood", 0, ("入学", "学区", "上下学", "接送"), _t(
        "孩子今年入学，学区划分怎么查？",
        "上下学时间学校门口接送车辆太多，交通拥堵。",
        "暑假结束开学了，上下学接送高峰希望安排志愿者疏导。",
    ), months=(8, 9)),
    Topic("heating", "safety", 0, ("取暖", "电暖器", "火灾隐患"), _t(
        "冬天老人用电暖器取暖，电线老化有火灾隐患，希望上门检查。",
        "天冷了{where}独居老人取暖困难，能不能送一些取暖设备？",
    ), months=(12, 1)),
    Topic("leaves", "environment", 0, ("落叶", "清扫", "保洁"), _t(
        "秋天落叶很多，{where}门口好几天没人清扫。",
        "落叶堵住了下水道口，保洁要及时清理。",
    ), months=(11,)),
)

# Bursts confined to one building: the planted hotspots of the ground truth.
PLANTED: tuple[Topic, ...] = (
    Topic("elevator_fault", "housing", 0, ("电梯", "电梯故障", "困人", "电梯困人", "停运"), _t(
        "{where}的电梯又坏了，今天又有人被困在里面，电梯故障太频繁了！",
        "{where}电梯三天两头停运，老人上下楼太难了，物业说在等配件。",
        "{where}电梯困人，已经是这个月第三次了，维保单位到底有没有检查？",
        "强烈要求更换{where}的电梯，电梯故障一个月好几次，太危险了。",
    )),
    Topic("water_quality", "housing", 0, ("黄水", "水质", "二次供水", "自来水", "水箱"), _t(
        "{where}的自来水放出来是黄水，水质有问题，孩子都不敢喝。",
        "{where}二次供水水箱多久没清洗了？水里有杂质，水质很差。",
        "这几天{where}水龙头流黄水，希望检测一下水质。",
    )),
    Topic("garbage_room", "environment", 0, ("垃圾房", "臭味", "异味", "垃圾站"), _t(
        "{where}旁边的垃圾房臭味太大了，夏天窗户都不敢开。",
        "{where}楼下垃圾房污水外溢，异味熏人，希望搬走垃圾站。",
        "投诉{where}垃圾房，每天清运不及时，臭味扰民。",
    )),
    Topic("wall_falling", "housing", 0, ("外墙", "外墙脱落", "墙皮脱落", "坠物"), _t(
        "{where}外墙瓷砖脱落，差点砸到人，太危险了！",
        "{where}外墙墙皮脱落，楼下已经拉了警戒线，什么时候修？",
        "{where}外墙脱落的问题反映好几次了，下面是小孩玩的地方。",
    )),
    Topic("parking_block", "traffic", 0, ("消防通道", "僵尸车", "占道", "通行"), _t(
        "{where}楼下消防通道被僵尸车堵了好几个月，救护车都开不进来。",
        "{where}门口消防通道长期被私家车占用，影响通行。",
        "要求清理{where}楼下的僵尸车，消防通道被占。",
    )),
)

OPENERS = ("", "", "", "您好，", "你好，", "我是{estate}的居民，", "反映一个问题：")
CLOSERS = ("", "", "", "希望尽快处理，谢谢！", "谢谢！", "已经反映多次了。", "麻烦关注一下。")
HOTLINE_CATEGORIES = {
    "traffic": "交通管理", "environment": "市容环卫", "housing": "住房保障与物业",
    "livelihood": "社会保障", "safety": "公共安全", "community": "文化体育",
}
