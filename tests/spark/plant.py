"""Plants specific problems among real messages, for the Spark job's problem check (issue 36).

    python3 tests/spark/plant.py --background messages.csv --out planted.csv --truth truth.json \
        [--problems 20] [--min-items 200] [--step 50] [--seed 7]

Writes the background messages (the CSV of ../shared/datasets/tipdm2020c, columns 留言编号,
留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数) followed by the planted ones: problem i
has min_items + i x step items about one invented object (a residential compound, road,
village, market, school, plant or company), written from templates with varied wording, by
many different people, over the last months of the background. truth.json maps each planted
object to its item ids. The text is generated here, not copied from any corpus.
"""

import argparse
import csv
import json
import random
from datetime import datetime, timedelta

OBJECTS = [
    ("翠湖名苑小区", "噪音"), ("锦江花园小区", "停车"), ("望江苑小区", "电梯"),
    ("白沙路", "积水"), ("东湖村", "污水"), ("红星农贸市场", "占道"),
    ("阳光幼儿园", "收费"), ("华兴化工厂", "异味"), ("明珠广场", "广场舞"),
    ("城南污水处理厂", "臭味"), ("滨河公园", "路灯"), ("宏达物业公司", "物业费"),
    ("南湖菜市场", "卫生"), ("长青养老院", "护理"), ("紫薇花园小区", "停水"),
    ("华府小区", "违建"), ("湘江世纪城", "学位"), ("新民路", "拥堵"),
    ("金星村", "征地"), ("远大路", "施工"),
]

WORDS = {
    "噪音": ["噪音", "夜间施工", "扰民", "休息", "分贝"],
    "停车": ["停车", "车位", "收费", "乱停", "地下车库"],
    "电梯": ["电梯", "故障", "困人", "维修", "年检"],
    "积水": ["积水", "排水", "下雨", "淹水", "管网"],
    "污水": ["污水", "直排", "河道", "发臭", "养殖"],
    "占道": ["占道", "经营", "摊贩", "通行", "堵塞"],
    "收费": ["收费", "乱收费", "学费", "退费", "家长"],
    "异味": ["异味", "刺鼻", "废气", "排放", "呼吸"],
    "广场舞": ["广场舞", "音响", "音量", "晚上", "扰民"],
    "臭味": ["臭味", "恶臭", "除臭", "居民", "夏天"],
    "路灯": ["路灯", "不亮", "照明", "晚上", "安全"],
    "物业费": ["物业费", "上涨", "服务", "业主", "合同"],
    "卫生": ["卫生", "垃圾", "脏乱", "清扫", "苍蝇"],
    "护理": ["护理", "老人", "护工", "虐待", "费用"],
    "停水": ["停水", "自来水", "水压", "供水", "通知"],
    "违建": ["违建", "搭建", "楼顶", "拆除", "举报"],
    "学位": ["学位", "入学", "学区", "小学", "配套"],
    "拥堵": ["拥堵", "红绿灯", "高峰", "交警", "通行"],
    "征地": ["征地", "补偿", "拆迁", "款项", "村民"],
    "施工": ["施工", "围挡", "扬尘", "工期", "道路"],
}

TITLES = [
    "关于{o}{w0}问题的投诉", "{o}{w0}{w1}严重", "请求解决{o}{w0}问题", "{o}的{w0}问题何时解决",
    "反映{o}{w1}和{w2}问题", "{o}{w0}，居民苦不堪言", "建议整治{o}{w0}", "{o}{w2}{w0}问题再次反映",
]
SENTENCES = [
    "我是{o}附近的居民，{o}{w0}问题已经持续很长时间了。",
    "{o}的{w0}{w1}问题一直没有得到解决，严重影响了大家的正常生活。",
    "最近{o}{w2}越来越严重，{w3}问题也很突出。",
    "多次向有关部门反映{o}{w0}，至今没有答复。",
    "希望相关部门尽快到{o}现场查看，解决{w0}和{w4}问题。",
    "{o}周边{w1}情况恶化，不少{w3}受到影响。",
    "恳请领导重视{o}的{w0}问题，给我们一个说法。",
    "{o}这个{w0}问题涉及很多人，大家都很着急。",
]


def planted(rng, index, obj, kind, n, start, span_days):
    words = WORDS[kind]
    for k in range(n):
        w = rng.sample(words, 5)
        fill = {"o": obj, **{f"w{i}": w[i] for i in range(5)}}
        title = rng.choice(TITLES).format(**fill)
        body = "".join(s.format(**fill) for s in rng.sample(SENTENCES, rng.randint(2, 4)))
        when = start + timedelta(days=rng.uniform(0, span_days), seconds=rng.randint(0, 86399))
        yield {
            "留言编号": f"PL{index:02d}{k:05d}",
            "留言用户": f"P{rng.randint(0, 10**7):07d}",
            "留言主题": title,
            "留言时间": when.strftime("%Y/%m/%d %H:%M:%S"),
            "留言详情": body,
            "反对数": str(rng.randint(0, 2)),
            "点赞数": str(rng.randint(0, 20)),
        }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--background", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--truth", required=True)
    p.add_argument("--problems", type=int, default=20)
    p.add_argument("--min-items", type=int, default=200)
    p.add_argument("--step", type=int, default=50)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rng = random.Random(a.seed)
    with open(a.background, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
    def when(text):
        for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(text.strip(), fmt)
            except ValueError:
                pass
        return None
    last = max(d for d in map(when, (r["留言时间"] for r in rows)) if d)
    truth = {}
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
        for i, (obj, kind) in enumerate(OBJECTS[:a.problems]):
            n = a.min_items + i * a.step
            span = rng.randint(30, 150)
            start = last - timedelta(days=span + rng.randint(0, 60))
            items = list(planted(rng, i, obj, kind, n, start, span))
            w.writerows(items)
            truth[obj] = [r["留言编号"] for r in items]
    with open(a.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False)
    print(f"{len(rows)} background rows, {sum(map(len, truth.values()))} planted in {len(truth)} problems")


if __name__ == "__main__":
    main()
