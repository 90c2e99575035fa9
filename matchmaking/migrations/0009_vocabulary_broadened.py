"""The broadened shipped vocabulary (matchmaking/vocabulary/concepts.json) into the
``Concept`` rows of a database migrated before it.

Concepts the file adds are created; names the file adds to a concept are appended to its
rows; names the file moved to a narrower concept (``grinding`` from machining to grinding) are
taken off the concept that held them; a broader concept the file changed is changed where the
row still has the old one. Names and concepts the organisers added stay as they are. On a new
database, 0002 already loaded the whole file and this changes nothing.
"""

from django.db import migrations

LANGUAGES = ("en", "vi", "ja", "ko")

# (code, language, name): names the previous file gave a concept that the file now gives to
# another (a narrower concept, or a look-alike).
MOVED = [
    ("moulds_dies", "en", "injection mould"),
    ("moulds_dies", "en", "injection mold"),
    ("moulds_dies", "en", "injection moulds"),
    ("moulds_dies", "en", "injection molds"),
    ("moulds_dies", "en", "die-casting dies"),
    ("moulds_dies", "en", "die casting dies"),
    ("moulds_dies", "en", "die-casting die"),
    ("moulds_dies", "en", "stamping dies"),
    ("moulds_dies", "en", "stamping die"),
    ("moulds_dies", "en", "press dies"),
    ("moulds_dies", "en", "hot runner"),
    ("moulds_dies", "en", "press tools"),
    ("moulds_dies", "en", "progressive press tools"),
    ("moulds_dies", "en", "injection tooling"),
    ("moulds_dies", "en", "plastic injection tooling"),
    ("moulds_dies", "vi", "khuôn ép nhựa"),
    ("moulds_dies", "vi", "khuôn nhựa"),
    ("moulds_dies", "vi", "khuôn mẫu nhựa"),
    ("moulds_dies", "vi", "khuôn dập"),
    ("moulds_dies", "vi", "khuôn dập liên hoàn"),
    ("moulds_dies", "vi", "khuôn đúc"),
    ("moulds_dies", "vi", "khuôn đúc áp lực"),
    ("moulds_dies", "vi", "khuôn đúc trọng lực"),
    ("moulds_dies", "vi", "khuôn ép"),
    ("moulds_dies", "vi", "khuôn nhựa ép"),
    ("moulds_dies", "ja", "射出成形用金型"),
    ("moulds_dies", "ja", "射出金型"),
    ("moulds_dies", "ja", "プレス金型"),
    ("moulds_dies", "ja", "ダイカスト金型"),
    ("moulds_dies", "ja", "ホットランナー"),
    ("moulds_dies", "ko", "사출 금형"),
    ("moulds_dies", "ko", "프레스 금형"),
    ("moulds_dies", "ko", "다이캐스팅 금형"),
    ("moulds_dies", "ko", "사출금형"),
    ("moulds_dies", "ko", "프레스금형"),
    ("casting", "en", "sand casting"),
    ("casting", "en", "investment casting"),
    ("casting", "en", "lost wax casting"),
    ("casting", "en", "cast iron"),
    ("casting", "vi", "đúc cát"),
    ("casting", "vi", "đúc mẫu chảy"),
    ("casting", "vi", "đúc chính xác"),
    ("casting", "vi", "đúc gang"),
    ("casting", "ja", "砂型鋳造"),
    ("casting", "ja", "ロストワックス"),
    ("casting", "ja", "精密鋳造"),
    ("casting", "ko", "사형 주조"),
    ("casting", "ko", "정밀 주조"),
    ("forging", "en", "hot forging"),
    ("forging", "en", "cold forging"),
    ("forging", "vi", "rèn dập nóng"),
    ("forging", "vi", "dập nóng"),
    ("forging", "vi", "rèn nóng"),
    ("forging", "ja", "熱間鍛造"),
    ("forging", "ja", "冷間鍛造"),
    ("forging", "ko", "열간 단조"),
    ("forging", "ko", "냉간 단조"),
    ("stamping", "en", "deep drawing"),
    ("stamping", "en", "deep-drawn"),
    ("stamping", "en", "deep drawn"),
    ("stamping", "en", "progressive die"),
    ("stamping", "vi", "dập vuốt"),
    ("stamping", "vi", "dập vuốt sâu"),
    ("stamping", "vi", "dập sâu"),
    ("stamping", "ja", "順送金型"),
    ("stamping", "ja", "深絞り"),
    ("stamping", "ja", "絞り加工"),
    ("stamping", "ko", "딥드로잉"),
    ("stamping", "ko", "딥 드로잉"),
    ("sheet_metal", "en", "laser cutting"),
    ("sheet_metal", "en", "cnc bending"),
    ("sheet_metal", "en", "bending"),
    ("sheet_metal", "vi", "cắt laser"),
    ("sheet_metal", "vi", "chấn tôn"),
    ("sheet_metal", "vi", "uốn tôn"),
    ("sheet_metal", "vi", "chấn gấp"),
    ("sheet_metal", "vi", "cắt uốn"),
    ("sheet_metal", "ja", "レーザー加工"),
    ("sheet_metal", "ja", "曲げ加工"),
    ("sheet_metal", "ko", "레이저 절단"),
    ("sheet_metal", "ko", "절곡"),
    ("cnc_machining", "en", "cnc"),
    ("cnc_machining", "en", "grinding"),
    ("cnc_machining", "en", "lathe"),
    ("cnc_machining", "vi", "mài"),
    ("cnc_machining", "vi", "cắt dây"),
    ("cnc_machining", "ja", "研削"),
    ("welding", "en", "ultrasonic welding"),
    ("plating", "en", "electroless nickel"),
    ("plating", "en", "nickel plating"),
    ("plating", "en", "chrome plating"),
    ("plating", "en", "chromium plating"),
    ("plating", "en", "surface treatment"),
    ("plating", "en", "surface finishing"),
    ("plating", "en", "metal finishing"),
    ("plating", "vi", "mạ niken"),
    ("plating", "vi", "mạ crôm"),
    ("plating", "vi", "mạ crom"),
    ("plating", "vi", "mạ crôm trang trí"),
    ("plating", "vi", "xử lý bề mặt"),
    ("plating", "vi", "mạ crôm cứng"),
    ("plating", "vi", "mạ niken hóa học"),
    ("plating", "ja", "無電解ニッケル"),
    ("plating", "ja", "ニッケルめっき"),
    ("plating", "ja", "クロムめっき"),
    ("plating", "ja", "表面処理"),
    ("plating", "ja", "硬質クロムめっき"),
    ("plating", "ko", "니켈 도금"),
    ("plating", "ko", "크롬 도금"),
    ("plating", "ko", "표면처리"),
    ("plating", "ko", "표면 처리"),
    ("zinc_plating", "en", "galvanizing"),
    ("zinc_plating", "en", "galvanising"),
    ("zinc_plating", "en", "hot-dip galvanizing"),
    ("zinc_plating", "en", "galvanized"),
    ("zinc_plating", "en", "galvanised"),
    ("zinc_plating", "vi", "mạ kẽm nhúng nóng"),
    ("zinc_plating", "ja", "溶融亜鉛めっき"),
    ("zinc_plating", "ko", "용융아연도금"),
    ("powder_coating", "en", "e-coating"),
    ("powder_coating", "en", "ed coating"),
    ("powder_coating", "en", "electrodeposition coating"),
    ("powder_coating", "en", "spray painting"),
    ("powder_coating", "vi", "sơn ed"),
    ("powder_coating", "vi", "sơn điện di"),
    ("powder_coating", "vi", "phun sơn"),
    ("powder_coating", "ja", "電着塗装"),
    ("powder_coating", "ja", "塗装"),
    ("powder_coating", "ko", "전착 도장"),
    ("powder_coating", "ko", "도장"),
    ("rubber_parts", "en", "o-rings"),
    ("rubber_parts", "en", "o-ring"),
    ("rubber_parts", "en", "gaskets"),
    ("rubber_parts", "en", "gasket"),
    ("rubber_parts", "en", "seals"),
    ("rubber_parts", "en", "seal"),
    ("rubber_parts", "en", "silicone rubber"),
    ("rubber_parts", "en", "oil seals"),
    ("rubber_parts", "en", "rubber seals"),
    ("rubber_parts", "vi", "gioăng"),
    ("rubber_parts", "vi", "gioăng cao su"),
    ("rubber_parts", "vi", "phớt"),
    ("rubber_parts", "vi", "cao su silicon"),
    ("rubber_parts", "vi", "gioăng silicon"),
    ("rubber_parts", "vi", "ron cao su"),
    ("rubber_parts", "vi", "gioăng phớt"),
    ("rubber_parts", "ja", "oリング"),
    ("rubber_parts", "ja", "パッキン"),
    ("rubber_parts", "ja", "ガスケット"),
    ("rubber_parts", "ja", "シール"),
    ("rubber_parts", "ja", "シリコーンゴム"),
    ("rubber_parts", "ja", "シリコンゴム"),
    ("rubber_parts", "ko", "오링"),
    ("rubber_parts", "ko", "o링"),
    ("rubber_parts", "ko", "가스켓"),
    ("rubber_parts", "ko", "개스킷"),
    ("rubber_parts", "ko", "실링"),
    ("rubber_parts", "ko", "실리콘 고무"),
    ("rubber_parts", "ko", "패킹"),
    ("rubber_parts", "ko", "씰"),
    ("rubber_parts", "ko", "고무 씰"),
    ("rubber_parts", "ko", "오일 씰"),
    ("fasteners", "en", "cold heading"),
    ("fasteners", "ja", "ファスナー"),
    ("automation", "vi", "tủ điện điều khiển"),
    ("textiles", "en", "woven labels"),
    ("textiles", "en", "zippers"),
    ("textiles", "en", "buttons"),
    ("textiles", "en", "garment accessories"),
    ("textiles", "vi", "khóa kéo"),
    ("textiles", "vi", "cúc áo"),
    ("textiles", "vi", "phụ liệu may"),
    ("extrusion", "en", "aluminium extrusion"),
    ("extrusion", "en", "aluminum extrusion"),
    ("extrusion", "en", "plastic extrusion"),
    ("extrusion", "vi", "đùn nhôm"),
    ("extrusion", "vi", "nhôm định hình"),
    ("extrusion", "vi", "thanh nhôm định hình"),
    ("extrusion", "ja", "アルミ押出"),
    ("extrusion", "ko", "알루미늄 압출"),
    ("keypads_buttons", "en", "buttons"),
    ("keypads_buttons", "ja", "ボタン"),
    ("keypads_buttons", "ko", "버튼"),
    ("plastics", "vi", "chi tiết nhựa"),
    ("plastics", "ja", "樹脂部品"),
]

# (code, previous broader, broader)
BROADER = [
    ("plating", "metal", "surface_finishing"),
    ("powder_coating", "metal", "surface_finishing"),
    ("anodizing", "", "surface_finishing"),
    ("shot_blasting", "", "surface_finishing"),
]


def _names(row, lang):
    return [line.strip() for line in getattr(row, f"names_{lang}").splitlines() if line.strip()]


def broaden_vocabulary(apps, schema_editor):
    from matchmaking.concepts import load_data

    Concept = apps.get_model("matchmaking", "Concept")
    rows = {c.code: c for c in Concept.objects.all()}
    if not rows:
        return  # an empty table: the recommender reads the shipped file itself
    data = load_data()
    created = set()
    for item in data:
        row = rows.get(item["code"])
        if row is None:
            created.add(item["code"])
            rows[item["code"]] = Concept.objects.create(
                code=item["code"],
                kind=item.get("kind", "process"),
                **{f"names_{lang}": "\n".join(item.get(lang) or []) for lang in LANGUAGES},
            )
            continue
        changed = False
        for lang in LANGUAGES:
            have = _names(row, lang)
            folded = {n.lower() for n in have}
            extra = [n for n in item.get(lang) or [] if n.lower() not in folded]
            if extra:
                setattr(row, f"names_{lang}", "\n".join(have + extra))
                changed = True
        if changed:
            row.save()
    for code, lang, name in MOVED:
        row = rows.get(code)
        if row is None:
            continue
        have = _names(row, lang)
        if name in have:
            have.remove(name)
            setattr(row, f"names_{lang}", "\n".join(have))
            row.save(update_fields=[f"names_{lang}"])
    for code, old, new in BROADER:
        row = rows.get(code)
        target = rows.get(new)
        if row is None or target is None:
            continue
        current = row.broader.code if row.broader_id else ""
        if current == old:
            row.broader = target
            row.save(update_fields=["broader"])
    for code in created:
        row = rows[code]
        parent = rows.get(next(i.get("broader") or "" for i in data if i["code"] == code))
        if parent is not None:
            row.broader = parent
            row.save(update_fields=["broader"])


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0008_merge_waiting_list_and_publishing"),
    ]

    operations = [
        migrations.RunPython(broaden_vocabulary, migrations.RunPython.noop),
    ]
