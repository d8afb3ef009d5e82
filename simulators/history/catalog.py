"""The fixed vocabulary of a generated service history: regions, equipment, faults, parts, people.

The figures here are what make the history look like a real service organisation rather than
uniform noise: regions differ in climate (chillers fail in a hot summer), in travel distances
(response time) and in their engineers' experience (first-time fix, repeat repairs); asset
models differ in how often they fail, so a model with a weak part shows up in the report's
section for the product engineers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    timezone: str
    latitude: float
    longitude: float
    language: str
    # Multiplies the time to respond and reach the site (long distances, traffic).
    travel: float
    # How hot its summer is: scales the summer peak of chiller and compressor faults.
    summer: float
    # Share of senior engineers in the region's team.
    seniority: float
    cities: tuple[str, ...]


REGIONS: tuple[Region, ...] = (
    Region("Ile-de-France", "Europe/Paris", 48.857, 2.352, "fr", 1.3, 1.0, 0.45,
           ("Paris", "Saint-Denis", "Nanterre", "Creteil", "Versailles")),
    Region("Rhine-Ruhr", "Europe/Berlin", 51.45, 7.01, "de", 1.0, 0.7, 0.55,
           ("Essen", "Dortmund", "Duisburg", "Bochum", "Dusseldorf")),
    Region("Lombardy", "Europe/Rome", 45.464, 9.19, "it", 1.1, 1.4, 0.35,
           ("Milano", "Bergamo", "Brescia", "Monza", "Como")),
    Region("Catalonia", "Europe/Madrid", 41.387, 2.170, "es", 1.2, 1.6, 0.3,
           ("Barcelona", "Girona", "Tarragona", "Sabadell", "Terrassa")),
    Region("Randstad", "Europe/Amsterdam", 52.37, 4.895, "nl", 0.8, 0.6, 0.5,
           ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Leiden")),
    Region("Zurich", "Europe/Zurich", 47.377, 8.540, "de-CH", 0.7, 0.8, 0.6,
           ("Zurich", "Winterthur", "Baden", "Zug", "Uster")),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    # Failures a year of one asset of this model (before season and age).
    failure_rate: float
    # Which fault it tends to have (a weak part): fault code -> extra weight.
    weak: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class AssetType:
    name: str
    share: float  # of the fleet
    models: tuple[Model, ...]
    faults: tuple[tuple[str, float], ...]  # fault code, weight
    # Peak month of the season (1-12) and the amplitude of the seasonal swing (0: none).
    peak_month: int
    season: float
    # Hours on site of a typical repair.
    repair_h: float


ASSET_TYPES: tuple[AssetType, ...] = (
    AssetType(
        "elevator", 0.35,
        (Model("Lift-Ease 630", 0.55), Model("Lift-Ease 1000", 0.6),
         Model("Vertico V8", 0.95, (("mechanical", 2.0),))),
        (("mechanical", 4.0), ("electrical", 3.0), ("door_fault", 3.0), ("thermal", 0.5)),
        1, 0.1, 2.5,
    ),
    AssetType(
        "chiller", 0.2,
        (Model("Aerocool AC-300", 0.7), Model("Aerocool AC-500", 0.75),
         Model("Polar PX-2", 1.2, (("energy_drift", 2.5),))),
        (("thermal", 3.0), ("energy_drift", 3.0), ("mechanical", 1.5), ("electrical", 1.0)),
        7, 0.8, 4.0,
    ),
    AssetType(
        "pump", 0.3,
        (Model("Hydra P-40", 0.5), Model("Hydra P-75", 0.55),
         Model("Flowmax FM-9", 0.9, (("process", 2.0),))),
        (("mechanical", 4.0), ("process", 2.5), ("electrical", 1.5), ("thermal", 1.0)),
        1, 0.3, 3.0,
    ),
    AssetType(
        "air_compressor", 0.15,
        (Model("Atmos C-22", 0.6), Model("Atmos C-45", 0.65)),
        (("thermal", 2.5), ("mechanical", 2.5), ("electrical", 1.5), ("energy_drift", 1.0)),
        7, 0.5, 3.0,
    ),
)  # fmt: skip

FAULT_TITLES: dict[str, str] = {
    "mechanical": "Mechanical wear (bearings, alignment, balance)",
    "electrical": "Electrical fault (windings, drive, contactor)",
    "thermal": "Overheating",
    "energy_drift": "Energy use drifting up (refrigerant, fouling)",
    "process": "Process fault (cavitation, blocked intake)",
    "door_fault": "Door does not close properly",
}

# Part number, name, asset types it fits, fault codes it fixes, unit cost (EUR).
PARTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("BRG-6205", "Deep-groove ball bearing 6205", ("pump", "air_compressor"), ("mechanical",), 38.0),
    ("BRG-6310", "Deep-groove ball bearing 6310", ("elevator", "chiller"), ("mechanical",), 92.0),
    ("SEAL-M40", "Mechanical seal 40 mm", ("pump",), ("process", "mechanical"), 145.0),
    ("IMP-75", "Impeller 75", ("pump",), ("process",), 420.0),
    ("CPL-FLEX", "Flexible coupling", ("pump", "air_compressor"), ("mechanical",), 120.0),
    ("CTR-40A", "Contactor 40 A", ("elevator", "pump", "air_compressor"), ("electrical",), 85.0),
    ("VFD-CARD", "Drive control card", ("elevator", "chiller"), ("electrical",), 640.0),
    ("FAN-MTR", "Condenser fan motor", ("chiller",), ("thermal", "electrical"), 380.0),
    ("REF-R410", "Refrigerant R-410A, 10 kg", ("chiller",), ("energy_drift",), 210.0),
    ("FLT-AIR", "Intake air filter", ("air_compressor", "chiller"), ("energy_drift", "thermal"), 24.0),
    ("OIL-SEP", "Oil separator element", ("air_compressor",), ("thermal",), 160.0),
    ("THERMO-K", "Thermostat and sensor kit", ("chiller", "air_compressor"), ("thermal",), 95.0),
    ("DOOR-ROLL", "Door roller set", ("elevator",), ("door_fault",), 55.0),
    ("DOOR-OP", "Door operator belt", ("elevator",), ("door_fault",), 130.0),
    ("ROPE-LUB", "Rope lubricant, 5 l", ("elevator",), ("mechanical",), 45.0),
    ("BRAKE-PAD", "Brake pad set", ("elevator",), ("mechanical",), 260.0),
)  # fmt: skip

FIRST_NAMES = (
    "Anna", "Luca", "Marie", "Jonas", "Sofia", "Pablo", "Emma", "Noah", "Lea", "Tom", "Julia",
    "Marco", "Clara", "David", "Sara", "Lars", "Ines", "Hugo", "Eva", "Jan", "Nina", "Pieter",
    "Chiara", "Mateo", "Elif", "Karim", "Lotte", "Felix", "Irene", "Bruno",
)  # fmt: skip
LAST_NAMES = (
    "Muller", "Rossi", "Garcia", "Dubois", "de Vries", "Schmid", "Bianchi", "Martin", "Lopez",
    "Bakker", "Weber", "Ferrari", "Bernard", "Jansen", "Keller", "Romano", "Fernandez",
    "Moreau", "Visser", "Huber", "Costa", "Laurent", "Smit", "Brunner", "Ricci", "Navarro",
)  # fmt: skip
COMPANY_WORDS = (
    "Atlas", "Nova", "Helios", "Orion", "Vega", "Boreal", "Cedar", "Delta", "Falcon", "Granite",
    "Harbor", "Iris", "Juniper", "Kepler", "Lumen", "Meridian", "Nimbus", "Opal", "Pioneer",
    "Quartz", "Riverside", "Summit", "Titan", "Union", "Vertex", "Willow", "Zenith",
)  # fmt: skip
COMPANY_KINDS = (
    "Hospital", "Offices", "Logistics", "Foods", "Hotels", "Retail", "Pharma", "Properties",
    "Data Centre", "University", "Waterworks", "Plastics",
)  # fmt: skip
SITE_KINDS = ("plant", "tower", "campus", "warehouse", "store", "building", "station")

# Why a customer complained, with weights.
COMPLAINT_REASONS: tuple[tuple[str, float], ...] = (
    ("slow response", 4.0),
    ("same fault again", 3.0),
    ("engineer arrived without the part", 2.0),
    ("no call-back", 1.5),
    ("invoice disputed", 1.0),
)

REQUEST_TEXT: dict[str, tuple[str, ...]] = {
    "mechanical": ("Loud grinding noise", "Strong vibration since this morning", "Knocking sound"),
    "electrical": ("Trips the breaker", "Will not start", "Control panel shows an error"),
    "thermal": ("Running hot, smell of burning", "Over-temperature alarm on the panel"),
    "energy_drift": ("Not cooling enough", "Electricity bill went up", "Runs all the time"),
    "process": ("Pressure drops", "Flow too low", "Air in the line"),
    "door_fault": ("Door does not close", "Door reopens by itself", "Passengers stuck briefly"),
}
