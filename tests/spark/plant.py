"""Plants specific problems among real messages, for the Spark job's problem check (issue 36).

    python3 tests/spark/plant.py --background messages.csv --out planted.csv --truth truth.json \
        [--problems 20] [--min-items 200] [--step 50] [--seed 7]

Writes the background messages (the CSV of ../shared/datasets/tipdm2020c, columns 留言编号,
留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数) followed by the planted ones: problem i
has min_items + i x step items about one invented object (a residential compound, road,
village, market, school, plant or company), written from templates with varied wording, by
many different people, over the last months of the background. truth.json maps each planted
object to its item ids. The text is generated here, not copied from any corpus.

The background may also be JSON lines (written as JSON lines, streamed: the scale bench's
millions of items) and may have minyi's own column names instead (编号, 标题, 正文, 报送时间,
报送人: the scale corpus of benches/scale.rs); the planted items take the background's names.
"""

import argparse
import csv
import json
import random
from datetime import datetime, timedelta

# The background's column names for each field planted items fill: the real messages', and
# minyi's own (benches/scale.rs).
SCHEMAS = [
    {"id": "留言编号", "submitter": "留言用户", "title": "留言主题", "time": "留言时间",
     "body": "留言详情", "dislikes": "反对数", "likes": "点赞数"},
    {"id": "编号", "submitter": "报送人", "title": "标题", "time": "报送时间", "body": "正文"},
]

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
            "id": f"PL{index:02d}{k:05d}",
            "submitter": f"P{rng.randint(0, 10**7):07d}",
            "title": title,
            "time": when.strftime("%Y/%m/%d %H:%M:%S"),
            "body": body,
            "dislikes": str(rng.randint(0, 2)),
            "likes": str(rng.randint(0, 20)),
        }


def when(text):
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    return None


def rows_of(path):
    """The background's rows as dicts, streamed (CSV with a header, or JSON lines)."""
    with open(path, encoding="utf-8", newline="") as f:
        if path.endswith(".jsonl"):
            yield from (json.loads(line) for line in f if line.strip())
        else:
            yield from csv.DictReader(f)


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
    # First pass: the columns (and which names they go by) from the first row, the latest date.
    fields, schema, last = None, None, None
    for r in rows_of(a.background):
        if fields is None:
            fields = list(r.keys())
            schema = next((c for c in SCHEMAS if c["time"] in r), None)
            if schema is None:
                raise SystemExit(f"{a.background}: no column of {[c['time'] for c in SCHEMAS]}")
        d = when(r[schema["time"]] or "")
        if d and (last is None or d > last):
            last = d
    if last is None:
        raise SystemExit(f"{a.background}: no dated row")
    jsonl = a.out.endswith(".jsonl")
    truth, n_rows = {}, 0
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        if jsonl:
            write = lambda r: f.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            write = w.writerow
        for r in rows_of(a.background):
            write(r)
            n_rows += 1
        for i, (obj, kind) in enumerate(OBJECTS[:a.problems]):
            n = a.min_items + i * a.step
            span = rng.randint(30, 150)
            start = last - timedelta(days=span + rng.randint(0, 60))
            ids = []
            for item in planted(rng, i, obj, kind, n, start, span):
                write({col: item.get(field, "") for field, col in schema.items()}
                      | {c: "" for c in fields if c not in schema.values()})
                ids.append(item["id"])
            truth[obj] = ids
    with open(a.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False)
    print(f"{n_rows} background rows, {sum(map(len, truth.values()))} planted in {len(truth)} problems")


if __name__ == "__main__":
    main()
