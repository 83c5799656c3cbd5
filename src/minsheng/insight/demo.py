"""Demo data of the text-intelligence app: a first routing model, so that staff see suggestions.

The demo district's confirmed assignments are few (about thirty), so a bundled set of typical
messages per demo unit (written for the demo, below) is added to them; then hot issues are computed
once. No shared data is read: ``make demo`` works on any machine."""

from __future__ import annotations

from minsheng.insight import services
from minsheng.insight.models import RoutingModelVersion, RoutingSource
from minsheng.org.models import Jurisdiction, JurisdictionLevel, Unit

SEED_EXAMPLES: dict[str, list[str]] = {
    "区交通运输局": [
        "公交线路太少，早高峰等车要半个小时，建议增加班次",
        "路口红绿灯时间设置不合理，行人过马路来不及",
        "公交站台没有遮雨棚，下雨天等车全身湿透",
        "农村公路坑洼不平，大货车经过尘土飞扬",
        "出租车拒载绕路，高铁站打车难",
        "建议开通到工业园区的通勤公交",
    ],
    "区城市管理局": [
        "路边烧烤摊油烟扰民，晚上吵到凌晨",
        "垃圾桶满了没人清运，夏天臭气熏天",
        "人行道被占道经营的摊贩堵死",
        "路灯坏了很久没人修，晚上一片漆黑",
        "违章搭建的棚子占用绿化带",
        "公园里的公共厕所太脏，缺少保洁",
    ],
    "区民政局": [
        "高龄津贴怎么申请，需要什么材料",
        "社区养老服务中心床位不够，老人排不上",
        "低保申请审核太慢，家里生活困难",
        "残疾人补贴发放标准想咨询一下",
        "社区老年食堂价格上涨，希望保持补贴",
    ],
    "区教育局": [
        "孩子上小学的学区划分不合理",
        "学校课后服务收费是否合规",
        "幼儿园学位紧张，家门口的幼儿园报不上名",
        "校门口放学时段交通拥堵，希望增设护学岗",
        "学校食堂饭菜质量差，孩子吃不饱",
    ],
    "常州市武进生态环境局": [
        "河道发黑发臭，怀疑有企业偷排污水",
        "工厂夜间排放刺鼻废气，居民不敢开窗",
        "搅拌站粉尘污染严重，周边全是灰",
        "建筑工地夜间施工噪音扰民",
        "化工园区附近空气有异味",
    ],
    "区住房和城乡建设局": [
        "老旧小区加装电梯的补贴政策",
        "物业公司服务差，收费不透明",
        "新房交付后墙体开裂，开发商不维修",
        "小区停车位不足，建议建设公共停车场",
        "雨污分流施工后路面没有恢复",
    ],
    "区卫生健康委员会": [
        "社区卫生服务中心专家号难挂",
        "医院周末门诊太少，上班族看病难",
        "疫苗接种预约系统总是约不上",
        "乡镇卫生院缺少儿科医生",
    ],
    "区医疗保障局": [
        "医保异地备案手续复杂",
        "门诊报销比例太低",
        "医保卡丢了怎么补办",
        "慢性病用药医保目录里没有",
    ],
    "区人力资源和社会保障局": [
        "公司拖欠工资三个月不发",
        "灵活就业人员社保怎么缴纳",
        "单位不给交社保，怎么维权",
        "失业金申领条件想咨询",
    ],
    "区市场监督管理局": [
        "菜市场摊贩短斤少两",
        "超市卖过期食品",
        "网购商品质量问题商家不退货",
        "餐馆卫生条件差，后厨老鼠乱窜",
    ],
    "区农业农村局": [
        "土地流转租金拖欠两年",
        "农田灌溉水渠年久失修",
        "农村宅基地审批怎么办理",
        "种粮补贴什么时候发放",
    ],
}


# Residents of one street writing about the same building site: the demo's hot issue.
HOT_VOICES = [
    "湖塘镇长虹路工地每天晚上十点以后还在打桩，噪音太大，孩子睡不着觉。",
    "长虹路那个工地夜间施工太吵了，打桩声一直到半夜，请管一管。",
    "湖塘镇长虹路建筑工地夜里施工，噪音扰民严重，多次打12345没有用。",
    "投诉长虹路工地夜间违规施工，打桩噪音影响周边几个小区居民休息。",
    "长虹路工地晚上施工的噪音和灯光让老人整夜失眠，希望限制夜间作业。",
]


def exists() -> bool:
    return RoutingModelVersion.objects.exists()


def seed() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from minsheng.voices import services as voice_services
    from minsheng.voices.models import VoiceChannel

    hutang = Jurisdiction.objects.filter(name="湖塘镇").first()
    for index, text in enumerate(HOT_VOICES):
        voice_services.voice_create(
            actor=AnonymousUser(),
            channel=VoiceChannel.WEB,
            text=text,
            phone=f"1390000{index + 100:04d}",
            place=hutang,
        )
    units = {u.name: u for u in Unit.objects.filter(name__in=SEED_EXAMPLES)}
    platform = services.routing_examples_platform()
    texts, labels, times = list(platform.texts), list(platform.labels), list(platform.times)
    earliest = min(times) if times else timezone.now()
    for name, examples in SEED_EXAMPLES.items():
        unit = units.get(name)
        if unit is None:
            continue
        for text in examples:
            texts.append(text)
            labels.append(services.unit_label(unit.pk))
            times.append(earliest)  # seeds count as the oldest: the held-back slice is real demo data
    services.routing_model_train(
        actor=None, source=RoutingSource.DEMO, examples=services.Examples(texts, labels, times)
    )
    for district in Jurisdiction.objects.filter(level=JurisdictionLevel.DISTRICT):
        services.hot_issues_compute(actor=None, jurisdiction=district)
