"""The raw material of the demo fair: names, places and products.

Everything here is plain data; :mod:`fairsite.demo.builder` combines it with a seeded random
generator. Company and person names are invented combinations of common name parts; any likeness
to a real company is a coincidence of those parts.
"""

from __future__ import annotations

from typing import NamedTuple


class Product(NamedTuple):
    """One thing a supplier makes, as the supplier says it and as buyers ask for it."""

    capability: str  # the exhibitor's wording
    needs: tuple[str, ...]  # buyers' wordings of the same thing
    key_product_vi: str  # the product's name in a key-industrial-product recognition


# --- Products per sector ------------------------------------------------------------------------

PRODUCTS: dict[str, list[Product]] = {
    "motorbike": [
        Product(
            "Die casting ADC12 aluminium, CNC machining to ±0.01 mm, motorbike engine covers",
            (
                "aluminium die-cast crankcase and engine covers for motorcycles (ADC12 or "
                "equivalent), CNC-finished",
                "high-pressure die-cast aluminium engine parts for scooters with machining and "
                "leak testing",
            ),
            "Vỏ động cơ xe máy đúc áp lực nhôm",
        ),
        Product(
            "Stamped and induction-hardened sprockets, brake discs and chain guards for motorbikes",
            (
                "stamped steel sprockets and brake discs for scooters, induction hardened",
                "motorcycle brake rotors and drive sprockets, heat treated, high volume",
            ),
            "Đĩa phanh và nhông xích xe máy",
        ),
        Product(
            "Painted plastic body panels for scooters: injection moulding up to 850 t and "
            "robotic paint line",
            (
                "painted injection-moulded fairings and side covers for scooters",
                "scooter body covers in ABS/PP with automotive-grade painting",
            ),
            "Bộ ốp nhựa thân xe máy",
        ),
        Product(
            "Motorcycle wire harnesses, crimping and 100 % continuity testing",
            (
                "wiring harnesses for motorcycles with full electrical testing",
                "motorbike wire harness assemblies, small and medium lots",
            ),
            "Bộ dây điện xe máy",
        ),
        Product(
            "Steel and aluminium wheel rims, spokes and hubs for motorbikes",
            (
                "motorcycle wheel rims and hubs, steel or aluminium",
                "cast aluminium hubs and spoked rims for two-wheelers",
            ),
            "Vành và moay-ơ xe máy",
        ),
    ],
    "automotive": [
        Product(
            "Seat frames and stamped brackets with robotic MIG welding and cathodic e-coating",
            (
                "welded seat-frame assemblies and stamped brackets for passenger cars",
                "robot-welded steel sub-assemblies with e-coat for car seats",
            ),
            "Khung ghế ô tô",
        ),
        Product(
            "Automotive wire harnesses up to 120 circuits, ultrasonic splicing, IATF 16949 line",
            (
                "automotive wire harness assemblies from an IATF 16949 supplier",
                "engine-room and body wiring harnesses for cars and trucks",
            ),
            "Bộ dây dẫn điện ô tô",
        ),
        Product(
            "Forged and machined steel shafts and gear blanks, hobbing and grinding",
            (
                "precision-forged gear blanks and transmission shafts, ground",
                "machined drive shafts and gears for gearboxes, heat treated",
            ),
            "Trục và bánh răng hộp số",
        ),
        Product(
            "EPDM door seals, radiator hoses and anti-vibration rubber mounts",
            (
                "EPDM weatherstrips and radiator hoses for vehicles",
                "rubber engine mounts and door seals for automotive OEMs",
            ),
            "Gioăng cao su cửa ô tô",
        ),
        Product(
            "Bus and truck body parts: laser-cut chassis brackets, fuel tanks, bumpers",
            (
                "chassis brackets and fuel tanks for trucks and buses",
                "sheet-metal body parts and bumpers for commercial vehicles",
            ),
            "Thùng nhiên liệu xe tải",
        ),
    ],
    "mechanical": [
        Product(
            "Plastic injection moulds and press dies up to 5 t, NX design and Moldflow analysis",
            (
                "mould makers for multi-cavity injection moulds with hot runners",
                "design and manufacture of press dies and plastic moulds, Moldflow simulation",
            ),
            "Khuôn ép nhựa chính xác",
        ),
        Product(
            "5-axis CNC milling and Swiss-type turning to ±0.005 mm, jigs and fixtures",
            (
                "machining shops with 5-axis CNC for jigs, fixtures and small batches",
                "precision turned and milled parts, tolerance ±0.01 mm or better",
            ),
            "Chi tiết gia công CNC chính xác",
        ),
        Product(
            "Sheet-metal fabrication: fibre-laser cutting, CNC bending, welding, powder coating",
            (
                "laser-cut and bent sheet-metal enclosures, powder coated",
                "sheet-metal cabinets and frames, welded and painted",
            ),
            "Tủ điện và vỏ máy bằng thép tấm",
        ),
        Product(
            "Industrial gears, couplings and speed reducers for conveyors and pumps",
            (
                "gearboxes, couplings and reducers for material handling",
                "custom spur and helical gears for industrial machinery",
            ),
            "Hộp giảm tốc công nghiệp",
        ),
        Product(
            "Cutting tools, punches and wear parts in tool steel and carbide",
            (
                "tool-steel punches, dies and carbide wear parts",
                "regrinding and manufacture of punches and cutting tools",
            ),
            "Dụng cụ cắt và chày cối",
        ),
    ],
    "electronics": [
        Product(
            "SMT assembly and PCBA down to 0201 components, AOI, X-ray and ICT testing",
            (
                "PCB assembly (SMT and THT) with AOI and X-ray inspection, RoHS compliant",
                "electronic manufacturing services: PCBA with in-circuit and functional tests",
            ),
            "Bo mạch điện tử lắp ráp (PCBA)",
        ),
        Product(
            "Ferrite transformers, inductors and chokes, automatic coil winding",
            (
                "custom transformers and chokes, coil winding",
                "magnetic components: inductors and ferrite transformers for power supplies",
            ),
            "Biến áp xung và cuộn cảm",
        ),
        Product(
            "Cable assemblies and over-moulded connectors: USB, HDMI, industrial M12",
            (
                "custom cable assemblies with over-moulded connectors",
                "USB and M12 cable harnesses for industrial equipment",
            ),
            "Cụm cáp và đầu nối",
        ),
        Product(
            "LED drivers and lighting modules, SMD LED boards with thermal testing",
            (
                "LED modules and constant-current drivers for luminaires",
                "SMD LED boards and lighting electronics, CE and RoHS",
            ),
            "Bộ nguồn và mô-đun đèn LED",
        ),
        Product(
            "Electric motors and fans for home appliances, winding and balancing",
            (
                "small AC/DC motors and fans for appliances",
                "motor stators and rotors, wound and balanced",
            ),
            "Động cơ điện cỡ nhỏ",
        ),
    ],
    "mobile": [
        Product(
            "Precision stamped EMI shielding cans, contact springs and SIM trays for phones",
            (
                "stamped EMI shield cans and contact springs for smartphones",
                "micro-stamping of phone shielding frames and SIM trays",
            ),
            "Khung che chắn nhiễu điện thoại",
        ),
        Product(
            "Die-cut adhesive tapes, foam gaskets and protective films for phone assembly",
            (
                "die-cut tapes, foams and protective films (3M, tesa, Nitto) for handsets",
                "converting of adhesive tapes and gaskets for mobile devices",
            ),
            "Băng dính và đệm mút cắt khuôn",
        ),
        Product(
            "Phone cases and plastic housings with in-mould decoration and UV coating",
            (
                "plastic housings for phones and tablets with IMD decoration",
                "injection-moulded device covers with UV hard coat",
            ),
            "Vỏ nhựa điện thoại",
        ),
        Product(
            "Flexible printed circuit assembly and battery protection boards",
            (
                "FPC assemblies and battery PCM boards for handsets",
                "flex circuits with SMT for mobile batteries and cameras",
            ),
            "Mạch in dẻo",
        ),
    ],
    "plastics": [
        Product(
            "Injection moulding 50–1,300 t in PP, ABS, PC and PA66-GF30, insert moulding",
            (
                "injection-moulded technical parts in glass-fibre reinforced PA66",
                "plastic injection moulding with insert moulding, up to 1,000 t presses",
            ),
            "Chi tiết nhựa kỹ thuật",
        ),
        Product(
            "Technical rubber parts: EPDM, NBR and silicone gaskets by compression moulding",
            (
                "custom NBR and EPDM gaskets and silicone seals",
                "compression-moulded rubber seals and O-rings",
            ),
            "Gioăng phớt cao su kỹ thuật",
        ),
        Product(
            "Blow-moulded HDPE containers and tanks up to 220 litres",
            (
                "HDPE blow-moulded drums and tanks",
                "plastic containers and jerrycans, blow moulded",
            ),
            "Thùng phuy nhựa HDPE",
        ),
        Product(
            "PVC and PE extrusion: profiles, pipes and cable ducts",
            (
                "extruded PVC profiles and PE pipes",
                "plastic extrusion of cable trunking and profiles",
            ),
            "Ống và thanh nhựa định hình",
        ),
    ],
    "textile": [
        Product(
            "Woven labels, elastic tapes, webbing and zippers for garments",
            (
                "garment trims: woven labels, elastic bands, webbing and zips",
                "elastic tape and narrow fabrics for apparel factories",
            ),
            "Phụ liệu may mặc",
        ),
        Product(
            "PU synthetic leather and coated fabrics for footwear and upholstery",
            (
                "PU-coated synthetic leather for shoe uppers",
                "synthetic leather and coated textiles for car seats and shoes",
            ),
            "Da tổng hợp PU",
        ),
        Product(
            "EVA midsoles, TPR and rubber outsoles for sports shoes",
            (
                "EVA midsoles and rubber outsoles for footwear brands",
                "injection-moulded shoe soles in EVA, TPR and rubber",
            ),
            "Đế giày EVA và cao su",
        ),
        Product(
            "Nonwoven fabrics, interlinings and technical textiles",
            (
                "nonwoven and fusible interlinings",
                "technical nonwovens for filters and automotive trim",
            ),
            "Vải không dệt",
        ),
    ],
    "packaging": [
        Product(
            "Corrugated cartons 3/5/7-ply with offset printing and die cutting",
            (
                "printed corrugated shipping cartons and inserts",
                "export cartons, 5-ply corrugated, with offset print",
            ),
            "Thùng carton sóng in offset",
        ),
        Product(
            "ESD thermoformed trays and blister packaging for electronic components",
            (
                "ESD vacuum-formed trays for components and PCBs",
                "antistatic blister trays and clamshells",
            ),
            "Khay nhựa chống tĩnh điện",
        ),
        Product(
            "Flexible packaging: multilayer laminated films, rotogravure printing, pouches",
            (
                "laminated film pouches with gravure printing",
                "multilayer flexible packaging for food and industrial goods",
            ),
            "Bao bì màng ghép phức hợp",
        ),
        Product(
            "Labels, barcode and RFID stickers, flexographic printing",
            (
                "barcode labels and RFID tags for logistics",
                "flexo-printed labels and product stickers",
            ),
            "Nhãn mã vạch và tem RFID",
        ),
    ],
    "automation": [
        Product(
            "Control panels and PLC programming (Siemens, Mitsubishi, Omron), SCADA integration",
            (
                "PLC control cabinets and SCADA integration for factories",
                "electrical panel building and PLC software, Siemens or Mitsubishi",
            ),
            "Tủ điều khiển tự động PLC",
        ),
        Product(
            "Conveyor systems and custom semi-automatic assembly machines",
            (
                "custom automated assembly lines and conveyors",
                "special-purpose machines and conveyors for assembly plants",
            ),
            "Dây chuyền băng tải lắp ráp",
        ),
        Product(
            "Robot cells for welding, palletising and pick-and-place",
            (
                "robot integration for welding and palletising",
                "turnkey robotic cells for handling and welding",
            ),
            "Hệ thống robot hàn",
        ),
        Product(
            "Machine-vision inspection systems and test benches for end-of-line quality",
            (
                "vision-based inspection stations and test rigs",
                "end-of-line testing equipment with machine vision",
            ),
            "Máy kiểm tra ngoại quan bằng camera",
        ),
    ],
    "metal": [
        Product(
            "Grey and ductile iron sand casting up to 2 t per piece, FC250 and FCD450",
            (
                "ductile iron castings (FCD450) for pumps and valves",
                "grey-iron sand castings, machined, for machinery bases",
            ),
            "Chi tiết đúc gang cầu",
        ),
        Product(
            "Hot forging of steel and brass parts, trimming and shot blasting",
            (
                "closed-die forgings in carbon steel and brass",
                "hot-forged fittings and flanges",
            ),
            "Chi tiết rèn dập nóng",
        ),
        Product(
            "Progressive-die metal stamping on presses up to 400 t",
            (
                "high-volume progressive-die stamping",
                "stamped metal parts from progressive tools, steel and copper",
            ),
            "Chi tiết dập liên hoàn",
        ),
        Product(
            "Surface treatment: zinc and zinc-nickel plating, nickel-chrome, anodising",
            (
                "zinc-nickel plating and anodising services",
                "electroplating and anodising of metal parts, salt-spray tested",
            ),
            "Dịch vụ mạ kẽm nhúng nóng",
        ),
        Product(
            "Cold-headed bolts, nuts, screws and stainless steel fasteners",
            (
                "cold-headed fasteners: bolts, screws and nuts",
                "stainless and high-tensile fasteners to DIN/JIS",
            ),
            "Bu lông đai ốc cường độ cao",
        ),
    ],
    "chemicals": [
        Product(
            "Industrial powder and liquid coatings for electrostatic painting",
            (
                "powder coatings and industrial paints",
                "epoxy-polyester powder paint for metal parts",
            ),
            "Sơn tĩnh điện",
        ),
        Product(
            "Cutting fluids, hydraulic oils and industrial lubricants",
            (
                "metalworking fluids and lubricants",
                "water-soluble cutting oil and hydraulic fluids",
            ),
            "Dầu cắt gọt kim loại",
        ),
        Product(
            "Adhesives and sealants for automotive and electronics assembly",
            (
                "structural adhesives and sealants for assembly lines",
                "PU and silicone sealants for vehicles and devices",
            ),
            "Keo dán công nghiệp",
        ),
    ],
    "medical": [
        Product(
            "Medical-grade injection moulding in an ISO 8 cleanroom, ISO 13485 certified",
            (
                "cleanroom moulding of disposable medical components (ISO 13485)",
                "medical plastic parts: syringe barrels, connectors, caps",
            ),
            "Linh kiện nhựa y tế",
        ),
        Product(
            "Stainless steel surgical and dental instruments: machining, polishing, passivation",
            (
                "machined and polished stainless steel instruments",
                "surgical instrument parts in 420 and 316L stainless steel",
            ),
            "Dụng cụ phẫu thuật inox",
        ),
        Product(
            "Silicone tubing, catheter components and medical cable assemblies",
            (
                "medical silicone tubing and cable assemblies",
                "extruded tubing and catheter parts for medical devices",
            ),
            "Ống silicone y tế",
        ),
    ],
}

# Sectors that often go together in one supplier.
RELATED_SECTORS: dict[str, tuple[str, ...]] = {
    "motorbike": ("metal", "plastics", "automotive"),
    "automotive": ("metal", "plastics", "motorbike"),
    "mechanical": ("metal", "automation"),
    "electronics": ("mobile", "automation"),
    "mobile": ("electronics", "plastics"),
    "plastics": ("packaging", "mechanical"),
    "textile": ("plastics", "packaging"),
    "packaging": ("plastics",),
    "automation": ("mechanical", "electronics"),
    "metal": ("mechanical", "automotive"),
    "chemicals": ("metal", "plastics"),
    "medical": ("plastics", "electronics"),
}

# How many exhibitors per sector, relatively (supporting industry in Hanoi is mostly mechanical,
# vehicle parts and electronics).
SECTOR_WEIGHTS: dict[str, int] = {
    "mechanical": 16,
    "motorbike": 11,
    "automotive": 11,
    "metal": 12,
    "electronics": 12,
    "plastics": 11,
    "mobile": 6,
    "packaging": 7,
    "automation": 6,
    "textile": 5,
    "chemicals": 2,
    "medical": 2,
}

# --- Vietnamese exhibitors ----------------------------------------------------------------------

# Trade words in company names, per sector: (Vietnamese, English).
TRADE_WORDS: dict[str, list[tuple[str, str]]] = {
    "motorbike": [
        ("Phụ tùng xe máy", "Motorbike Parts"),
        ("Cơ khí xe máy", "Motorcycle Engineering"),
        ("Đúc nhôm", "Aluminium Casting"),
    ],
    "automotive": [
        ("Phụ tùng ô tô", "Auto Parts"),
        ("Linh kiện ô tô", "Automotive Components"),
        ("Cơ khí ô tô", "Automotive Engineering"),
    ],
    "mechanical": [
        ("Cơ khí chính xác", "Precision Mechanical"),
        ("Khuôn mẫu", "Mould and Die"),
        ("Cơ khí chế tạo", "Engineering"),
        ("Chế tạo máy", "Machinery"),
    ],
    "electronics": [
        ("Điện tử", "Electronics"),
        ("Linh kiện điện tử", "Electronic Components"),
        ("Thiết bị điện", "Electrical Equipment"),
    ],
    "mobile": [
        ("Công nghệ", "Technology"),
        ("Linh kiện điện thoại", "Mobile Components"),
    ],
    "plastics": [
        ("Nhựa", "Plastics"),
        ("Cao su kỹ thuật", "Technical Rubber"),
        ("Nhựa kỹ thuật", "Engineering Plastics"),
    ],
    "textile": [
        ("Phụ liệu dệt may", "Garment Accessories"),
        ("Da giày", "Footwear Materials"),
    ],
    "packaging": [
        ("Bao bì", "Packaging"),
        ("In và bao bì", "Printing and Packaging"),
    ],
    "automation": [
        ("Tự động hoá", "Automation"),
        ("Kỹ thuật điều khiển", "Control Engineering"),
    ],
    "metal": [
        ("Đúc", "Foundry"),
        ("Kim khí", "Metalware"),
        ("Rèn dập", "Forging and Stamping"),
        ("Xử lý bề mặt", "Surface Treatment"),
    ],
    "chemicals": [
        ("Hoá chất công nghiệp", "Industrial Chemicals"),
        ("Sơn công nghiệp", "Industrial Coatings"),
    ],
    "medical": [
        ("Thiết bị y tế", "Medical Devices"),
        ("Vật tư y tế", "Medical Supplies"),
    ],
}

# Distinctive parts of Vietnamese company names.
VN_BRAND_NAMES: list[str] = [
    "Hà Nội",
    "Thăng Long",
    "Sông Hồng",
    "Đông Anh",
    "Phúc Thịnh",
    "Minh Khang",
    "An Phát",
    "Việt Nhật",
    "Hoà Bình",
    "Hồng Hà",
    "Tân Á",
    "Đại Việt",
    "Hải Long",
    "Kim Sơn",
    "Phú Cường",
    "Hưng Thịnh",
    "Thành Công",
    "Quang Minh",
    "Nam Tiến",
    "Bảo Long",
    "Trường Thịnh",
    "Việt Hàn",
    "Tiến Đạt",
    "Hoàng Gia",
    "Vạn Xuân",
    "Sao Mai",
    "Toàn Cầu",
    "Đông Á",
    "Bình Minh",
    "Phương Bắc",
    "Kinh Bắc",
    "Tràng An",
    "Long Biên",
    "Gia Lâm",
    "Sóc Sơn",
    "Thịnh Phát",
    "An Khánh",
    "Ngọc Hồi",
    "Mê Linh",
    "Hoàng Long",
    "Nhật Quang",
    "Đức Thành",
    "Việt Tiến",
    "Anh Dương",
    "Hải Đăng",
    "Minh Phát",
    "Tân Phong",
    "Thái Hà",
    "Hùng Vương",
    "Phú Mỹ",
]

# Legal forms: (Vietnamese prefix, English suffix, weight).
VN_LEGAL_FORMS: list[tuple[str, str, int]] = [
    ("Công ty TNHH", "Co., Ltd.", 50),
    ("Công ty Cổ phần", "JSC", 40),
    ("Công ty TNHH MTV", "One Member Co., Ltd.", 10),
]

# (city, industrial parks, weight): the capital region around Hanoi.
VN_CITIES: list[tuple[str, tuple[str, ...], int]] = [
    (
        "Hà Nội",
        (
            "KCN Thăng Long, Đông Anh",
            "KCN Quang Minh, Mê Linh",
            "KCN Nội Bài, Sóc Sơn",
            "KCN Bắc Thăng Long",
            "KCN Phú Nghĩa, Chương Mỹ",
            "Khu CNHT Nam Hà Nội, Phú Xuyên",
            "CCN Ngọc Hồi, Thanh Trì",
            "KCN Hà Nội – Đài Tư, Long Biên",
        ),
        55,
    ),
    ("Bắc Ninh", ("KCN Quế Võ", "KCN Yên Phong", "KCN Tiên Sơn", "VSIP Bắc Ninh"), 12),
    ("Hưng Yên", ("KCN Phố Nối A", "KCN Thăng Long II", "KCN Minh Đức"), 9),
    ("Vĩnh Phúc", ("KCN Bình Xuyên", "KCN Khai Quang", "KCN Bá Thiện"), 8),
    ("Hải Phòng", ("KCN Đình Vũ", "KCN Nomura", "VSIP Hải Phòng", "KCN Tràng Duệ"), 7),
    ("Hải Dương", ("KCN Đại An", "KCN Nam Sách"), 4),
    ("Thái Nguyên", ("KCN Yên Bình", "KCN Điềm Thuỵ"), 3),
    ("Hà Nam", ("KCN Đồng Văn", "KCN Hoà Mạc"), 2),
]

# Vietnamese people: family names with weights, then given names with middle names by gender.
VN_FAMILY_NAMES: list[tuple[str, int]] = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Vũ", 4),
    ("Phan", 4),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Ngô", 2),
    ("Dương", 2),
    ("Đinh", 2),
    ("Hồ", 2),
    ("Lương", 1),
    ("Trịnh", 1),
    ("Đào", 1),
    ("Tạ", 1),
]
VN_MALE_MIDDLE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Mạnh", "Tiến", "Thanh", "Công"]
VN_FEMALE_MIDDLE = ["Thị", "Thu", "Ngọc", "Thanh", "Thị Thu", "Phương", "Minh", "Hồng", "Kim"]
VN_MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thành",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
]
VN_FEMALE_GIVEN = [
    "Anh",
    "Chi",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phương",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
]

EXHIBITOR_JOB_TITLES: list[str] = [
    "Giám đốc",
    "Phó Giám đốc kinh doanh",
    "Trưởng phòng kinh doanh",
    "Trưởng phòng xuất nhập khẩu",
    "Trưởng phòng kỹ thuật",
    "Quản lý chất lượng (QA/QC)",
    "Chuyên viên kinh doanh quốc tế",
    "Sales Manager",
    "Business Development Manager",
]

# --- Foreign buyers -----------------------------------------------------------------------------


class Place(NamedTuple):
    city: str
    native: str
    time_zone: str


class BuyerCountry(NamedTuple):
    code: str  # ISO 3166-1 alpha-2
    weight: int
    places: tuple[Place, ...]
    # (English stem, native stem)
    stems: tuple[tuple[str, str], ...]
    # (English business word, native business word, sectors)
    businesses: tuple[tuple[str, str, tuple[str, ...]], ...]
    legal_en: tuple[str, ...]
    languages: tuple[tuple[str, ...], ...]  # languages spoken, one is picked
    user_language: str  # the site language its people use
    remote_share: float


JP_BUSINESSES = (
    ("Seiki", "精機", ("mechanical", "automotive")),
    ("Kogyo", "工業", ("metal", "automotive", "motorbike")),
    ("Denshi", "電子", ("electronics", "mobile")),
    ("Kasei", "化成", ("plastics", "chemicals")),
    ("Seisakusho", "製作所", ("mechanical", "metal")),
    ("Denki", "電機", ("electronics", "automation")),
    ("Giken", "技研", ("automation", "mechanical")),
    ("Kinzoku", "金属", ("metal",)),
    ("Buhin", "部品", ("motorbike", "automotive")),
    ("Sen-i", "繊維", ("textile",)),
    ("Shiki", "紙器", ("packaging",)),
    ("Ika Kogyo", "医科工業", ("medical",)),
    ("Gomu", "ゴム", ("plastics", "automotive")),
)

KR_BUSINESSES = (
    ("Precision", "정밀", ("mechanical", "automotive")),
    ("Electronics", "전자", ("electronics", "mobile")),
    ("Industrial", "산업", ("metal", "mechanical")),
    ("Tech", "테크", ("mobile", "electronics")),
    ("Autotech", "오토텍", ("automotive", "motorbike")),
    ("Chemical", "화학", ("chemicals", "plastics")),
    ("Metal", "금속", ("metal",)),
    ("Engineering", "엔지니어링", ("automation", "mechanical")),
    ("Packaging", "패키징", ("packaging",)),
    ("Medical", "메디칼", ("medical",)),
    ("Textile", "섬유", ("textile",)),
    ("Polymer", "폴리머", ("plastics",)),
)

US_BUSINESSES = (
    ("Components", "", ("electronics", "mechanical")),
    ("Precision Manufacturing", "", ("mechanical", "metal")),
    ("Electronics", "", ("electronics", "mobile")),
    ("Plastics", "", ("plastics",)),
    ("Packaging Solutions", "", ("packaging",)),
    ("Automation", "", ("automation",)),
    ("Medical Devices", "", ("medical",)),
    ("Metal Works", "", ("metal",)),
    ("Motor Parts", "", ("automotive", "motorbike")),
    ("Apparel Sourcing", "", ("textile",)),
    ("Industrial Supply", "", ("mechanical", "chemicals")),
    ("Powersports", "", ("motorbike",)),
)

TH_BUSINESSES = (
    ("Auto Parts", "ออโต้พาร์ท", ("automotive", "motorbike")),
    ("Precision", "พรีซิชั่น", ("mechanical", "metal")),
    ("Electronics", "อิเล็กทรอนิกส์", ("electronics",)),
    ("Plastic", "พลาสติก", ("plastics",)),
    ("Packaging", "แพ็คเกจจิ้ง", ("packaging",)),
    ("Engineering", "เอ็นจิเนียริ่ง", ("automation", "mechanical")),
    ("Rubber", "รับเบอร์", ("plastics", "automotive")),
    ("Textile", "เท็กซ์ไทล์", ("textile",)),
)

BUYER_COUNTRIES: tuple[BuyerCountry, ...] = (
    BuyerCountry(
        code="JP",
        weight=40,
        places=(
            Place("Nagoya", "名古屋", "Asia/Tokyo"),
            Place("Toyota", "豊田", "Asia/Tokyo"),
            Place("Hamamatsu", "浜松", "Asia/Tokyo"),
            Place("Osaka", "大阪", "Asia/Tokyo"),
            Place("Tokyo", "東京", "Asia/Tokyo"),
            Place("Kobe", "神戸", "Asia/Tokyo"),
            Place("Saitama", "埼玉", "Asia/Tokyo"),
            Place("Hiroshima", "広島", "Asia/Tokyo"),
            Place("Kyoto", "京都", "Asia/Tokyo"),
            Place("Fukuoka", "福岡", "Asia/Tokyo"),
        ),
        stems=(
            ("Tokai", "東海"),
            ("Chubu", "中部"),
            ("Mikawa", "三河"),
            ("Hokuriku", "北陸"),
            ("Kanto", "関東"),
            ("Fuji", "富士"),
            ("Nisshin", "日進"),
            ("Yamato", "大和"),
            ("Asahi", "旭"),
            ("Showa", "昭和"),
            ("Toyo", "東洋"),
            ("Kyowa", "協和"),
            ("Meiwa", "明和"),
            ("Maruyama", "丸山"),
            ("Takagi", "高木"),
            ("Tanaka", "田中"),
            ("Sanwa", "三和"),
            ("Daiichi", "第一"),
            ("Chuo", "中央"),
            ("Sakura", "桜"),
            ("Hokuto", "北斗"),
            ("Shinwa", "信和"),
            ("Marusan", "丸三"),
            ("Nakano", "中野"),
            ("Ogawa", "小川"),
            ("Kitagawa", "北川"),
            ("Izumi", "和泉"),
            ("Tohoku", "東北"),
        ),
        businesses=JP_BUSINESSES,
        legal_en=("Co., Ltd.",),
        languages=(("ja", "en"), ("ja", "en"), ("ja",), ("ja", "en", "vi")),
        user_language="ja",
        remote_share=0.4,
    ),
    BuyerCountry(
        code="KR",
        weight=25,
        places=(
            Place("Seoul", "서울", "Asia/Seoul"),
            Place("Busan", "부산", "Asia/Seoul"),
            Place("Incheon", "인천", "Asia/Seoul"),
            Place("Ulsan", "울산", "Asia/Seoul"),
            Place("Changwon", "창원", "Asia/Seoul"),
            Place("Suwon", "수원", "Asia/Seoul"),
            Place("Gumi", "구미", "Asia/Seoul"),
            Place("Daegu", "대구", "Asia/Seoul"),
        ),
        stems=(
            ("Daesung", "대성"),
            ("Hanil", "한일"),
            ("Dongyang", "동양"),
            ("Samhwa", "삼화"),
            ("Sewon", "세원"),
            ("Woojin", "우진"),
            ("Taeyang", "태양"),
            ("Youngshin", "영신"),
            ("Shinheung", "신흥"),
            ("Kwangmyung", "광명"),
            ("Daehan", "대한"),
            ("Sungwoo", "성우"),
            ("Jinsung", "진성"),
            ("Hanbit", "한빛"),
            ("Seoyoung", "서영"),
            ("Mirae", "미래"),
            ("Haesung", "해성"),
            ("Dongil", "동일"),
            ("Kumho", "금호"),
            ("Ilshin", "일신"),
            ("Cheongsol", "청솔"),
            ("Donghae", "동해"),
        ),
        businesses=KR_BUSINESSES,
        legal_en=("Co., Ltd.",),
        languages=(("ko", "en"), ("ko", "en"), ("ko",), ("ko", "en", "vi")),
        user_language="ko",
        remote_share=0.3,
    ),
    BuyerCountry(
        code="US",
        weight=20,
        places=(
            Place("New York", "", "America/New_York"),
            Place("Columbus", "", "America/New_York"),
            Place("Charlotte", "", "America/New_York"),
            Place("Atlanta", "", "America/New_York"),
            Place("Chicago", "", "America/Chicago"),
            Place("Houston", "", "America/Chicago"),
            Place("Milwaukee", "", "America/Chicago"),
            Place("Nashville", "", "America/Chicago"),
            Place("Los Angeles", "", "America/Los_Angeles"),
            Place("San Jose", "", "America/Los_Angeles"),
            Place("Seattle", "", "America/Los_Angeles"),
            Place("Portland", "", "America/Los_Angeles"),
        ),
        stems=(
            ("Great Lakes", ""),
            ("Pacific", ""),
            ("Summit", ""),
            ("Keystone", ""),
            ("Lone Star", ""),
            ("Midwest", ""),
            ("Cascade", ""),
            ("Atlantic", ""),
            ("Liberty", ""),
            ("Ridgeway", ""),
            ("Harbor", ""),
            ("Redwood", ""),
            ("Prairie", ""),
            ("Blue Ridge", ""),
            ("Granite", ""),
            ("Silver State", ""),
            ("Northstar", ""),
            ("Heartland", ""),
            ("Bay Area", ""),
            ("Evergreen", ""),
            ("Ironbridge", ""),
            ("Piedmont", ""),
        ),
        businesses=US_BUSINESSES,
        legal_en=("Inc.", "LLC", "Corp."),
        languages=(("en",), ("en",), ("en", "vi"), ("en", "ko")),
        user_language="en",
        remote_share=0.35,
    ),
    BuyerCountry(
        code="TH",
        weight=15,
        places=(
            Place("Bangkok", "กรุงเทพฯ", "Asia/Bangkok"),
            Place("Samut Prakan", "สมุทรปราการ", "Asia/Bangkok"),
            Place("Chonburi", "ชลบุรี", "Asia/Bangkok"),
            Place("Rayong", "ระยอง", "Asia/Bangkok"),
            Place("Ayutthaya", "อยุธยา", "Asia/Bangkok"),
        ),
        stems=(
            ("Siam", "สยาม"),
            ("Chao Phraya", "เจ้าพระยา"),
            ("Bangkok", "บางกอก"),
            ("Lanna", "ล้านนา"),
            ("Sukhothai", "สุโขทัย"),
            ("Andaman", "อันดามัน"),
            ("Eastern", "อีสเทิร์น"),
            ("Golden", "โกลเด้น"),
            ("Royal", "รอยัล"),
            ("Mekong", "แม่โขง"),
            ("Thai Charoen", "ไทยเจริญ"),
            ("Srithai", "ศรีไทย"),
            ("Rattana", "รัตนา"),
            ("Sahamit", "สหมิตร"),
        ),
        businesses=TH_BUSINESSES,
        legal_en=("Co., Ltd.",),
        languages=(("th", "en"), ("th", "en"), ("th",)),
        user_language="en",
        remote_share=0.3,
    ),
)

# People: (native, romanised) family and given names.
JP_FAMILY = [
    ("田中", "Tanaka"),
    ("鈴木", "Suzuki"),
    ("佐藤", "Sato"),
    ("高橋", "Takahashi"),
    ("伊藤", "Ito"),
    ("渡辺", "Watanabe"),
    ("山本", "Yamamoto"),
    ("中村", "Nakamura"),
    ("小林", "Kobayashi"),
    ("加藤", "Kato"),
    ("吉田", "Yoshida"),
    ("山田", "Yamada"),
    ("松本", "Matsumoto"),
    ("井上", "Inoue"),
    ("木村", "Kimura"),
    ("清水", "Shimizu"),
]
JP_GIVEN = [
    ("博", "Hiroshi"),
    ("健一", "Kenichi"),
    ("大輔", "Daisuke"),
    ("翔太", "Shota"),
    ("誠", "Makoto"),
    ("直樹", "Naoki"),
    ("美穂", "Miho"),
    ("由美", "Yumi"),
    ("恵子", "Keiko"),
    ("彩", "Aya"),
    ("拓也", "Takuya"),
    ("隆", "Takashi"),
    ("陽子", "Yoko"),
    ("亮", "Ryo"),
]
KR_FAMILY = [
    ("김", "Kim"),
    ("이", "Lee"),
    ("박", "Park"),
    ("최", "Choi"),
    ("정", "Jung"),
    ("강", "Kang"),
    ("조", "Cho"),
    ("윤", "Yoon"),
    ("장", "Jang"),
    ("임", "Lim"),
    ("한", "Han"),
    ("오", "Oh"),
    ("서", "Seo"),
    ("신", "Shin"),
    ("권", "Kwon"),
]
KR_GIVEN = [
    ("민준", "Minjun"),
    ("서연", "Seoyeon"),
    ("지훈", "Jihoon"),
    ("현우", "Hyunwoo"),
    ("수빈", "Subin"),
    ("지민", "Jimin"),
    ("동현", "Donghyun"),
    ("예진", "Yejin"),
    ("성민", "Sungmin"),
    ("은지", "Eunji"),
    ("준호", "Junho"),
    ("하은", "Haeun"),
    ("재원", "Jaewon"),
    ("미경", "Mikyung"),
]
US_FAMILY = [
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Hernandez",
    "Patel",
    "Thompson",
    "Brown",
    "Martinez",
    "Anderson",
    "Nguyen",
    "Kim",
    "Robinson",
    "Clark",
    "Lewis",
]
US_GIVEN = [
    "Michael",
    "Jennifer",
    "David",
    "Sarah",
    "Robert",
    "Emily",
    "James",
    "Maria",
    "Kevin",
    "Laura",
    "Daniel",
    "Ashley",
    "Brian",
    "Megan",
    "Steven",
    "Rachel",
]
TH_FAMILY = [
    "Srisuk",
    "Wongsawat",
    "Chaiyaporn",
    "Kittikhun",
    "Boonmee",
    "Rattanakul",
    "Thongdee",
    "Saetang",
    "Phromma",
    "Jaidee",
    "Suwannarat",
    "Chantarasiri",
]
TH_GIVEN = [
    "Somchai",
    "Nattapong",
    "Siriporn",
    "Pimchanok",
    "Wanchai",
    "Kanokwan",
    "Anan",
    "Suda",
    "Thanawat",
    "Ratchanee",
    "Kittipong",
    "Apinya",
]

BUYER_JOB_TITLES: dict[str, list[str]] = {
    "JP": ["調達部 部長", "購買課 課長", "海外調達担当", "Purchasing Manager", "品質保証部 主任"],
    "KR": ["구매팀장", "구매담당 과장", "해외소싱 매니저", "Procurement Manager", "품질관리 팀장"],
    "US": [
        "Global Sourcing Manager",
        "Procurement Director",
        "Supplier Quality Engineer",
        "Category Buyer",
        "VP Supply Chain",
    ],
    "TH": ["Purchasing Manager", "Sourcing Engineer", "Procurement Director", "Supply Chain Lead"],
}

# Sourcing-needs sentences: openers, quantities and conditions; {item} is a product need.
NEED_OPENERS: list[str] = [
    "Looking for Vietnamese suppliers of {item}.",
    "We source {item} for our plants in Asia.",
    "Seeking a second source in northern Vietnam for {item}.",
    "Need {item}; first samples within 6 weeks.",
    "Interested in {item} from suppliers near Hanoi.",
    "Moving part of our supply chain to Vietnam: {item}.",
]
NEED_VOLUMES: list[str] = [
    "Around 20,000 pcs/month after PPAP.",
    "Pilot lot 2,000 pcs, then 10,000–50,000 pcs per month.",
    "Annual volume about 300,000 pcs.",
    "Small batches of 500–1,000 pcs, high mix.",
    "Long-term agreement for 3 years, monthly call-offs.",
    "Target price 10–15 % below current Chinese supply.",
]
NEED_CONDITIONS: list[str] = [
    "Quality system and traceability required; English or Japanese-speaking engineers welcome.",
    "Supplier audit on site before the first order.",
    "Drawings in STEP/IGES; DDP Haiphong or FOB Haiphong.",
    "Must support PPAP level 3 and 8D problem solving.",
    "RoHS and REACH declarations required.",
    "Delivery to our factory in Bắc Ninh or Vĩnh Phúc.",
]

BUYER_DESCRIPTIONS: dict[str, list[str]] = {
    "JP": [
        "Tier-1 supplier to Japanese vehicle makers, sourcing in Vietnam since {year}.",
        "Family-owned manufacturer with plants in {city} and Thailand; expanding its Vietnamese "
        "supplier base.",
        "Trading and manufacturing group buying components for its assembly plants in Asia.",
    ],
    "KR": [
        "Component maker for Korean electronics and automotive groups, with a plant in northern "
        "Vietnam since {year}.",
        "Mid-sized manufacturer from {city} localising parts for its Vietnamese operations.",
    ],
    "US": [
        "Importer and OEM diversifying supply away from a single country since {year}.",
        "Manufacturer headquartered in {city}, buying machined and moulded parts in Asia.",
        "Distributor of industrial and consumer products sourcing private-label parts.",
    ],
    "TH": [
        "Thai manufacturer from {city} serving automotive and appliance makers across ASEAN.",
        "Regional supplier looking for partners in Vietnam to serve customers in both countries.",
    ],
}

# --- Visitors -----------------------------------------------------------------------------------

VISITOR_ORGANISATIONS: list[str] = [
    "Đại học Bách khoa Hà Nội",
    "Trường Đại học Công nghiệp Hà Nội",
    "Học viện Kỹ thuật Quân sự",
    "Hiệp hội Doanh nghiệp Công nghiệp hỗ trợ Hà Nội",
    "Hiệp hội Doanh nghiệp nhỏ và vừa Hà Nội",
    "Báo Kinh tế & Đô thị",
    "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Hà Nội",
    "Sở Công Thương Bắc Ninh",
    "Sở Công Thương Hưng Yên",
    "Ngân hàng TMCP Công Thương Việt Nam – CN Đông Anh",
    "Viện Nghiên cứu Cơ khí",
    "Trường Cao đẳng Cơ điện Hà Nội",
]
