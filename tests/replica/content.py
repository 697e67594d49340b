"""Ground truth of the replica: every article it serves, and what a perfect extractor outputs.

Everything here is deterministic: the hand-written table below fixes the metadata (ids,
dates, titles, bylines, tags, special features) and the body prose is generated from
templates with ``random.Random(item_id)``, so the pages (``pages.py``) and the expected
records always agree.

Conventions (see ``/work/shared/site-notes.md``):

- ``intro == "teaser"``: migrated items. The intro shown is the byline, then the first body
  paragraph cut after its third "." (naive split, see :func:`naive_teaser`); the full text
  then repeats the first paragraph whole. ``summary`` is None.
- ``intro == "summary"``: items from 2015 on. The intro is the byline, then a human-written
  summary that is not repeated in the full text. ``summary`` holds it.
- ``intro == "none"``: no full text; only ``div.itemFullText`` holding byline and body.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

SECTIONS: dict[str, str] = {
    "analytical-articles": "Analytical Articles",
    "field-reports": "Field Reports",
    "news-digest": "News Digest",
    "feature-articles": "Feature Articles",
}


@dataclass(frozen=True)
class Block:
    """One piece of body content, in order.

    kind: "p", "h" (subheading inside the body), "li", "blockquote", "table" (cells in
    ``cells``), or "img" (an inline image: ``src`` and its caption in ``text``; not body text).
    ``href``/``anchor``: the substring ``anchor`` of ``text`` is rendered as a link to ``href``
    (the visible text stays ``text``). ``href`` may contain ``{other_host}``, replaced by the
    server's other-host base URL.
    """

    kind: str
    text: str = ""
    cells: tuple[tuple[str, ...], ...] = ()
    href: str = ""
    anchor: str = ""
    src: str = ""


@dataclass(frozen=True)
class Article:
    item_id: int
    alias: str
    section: str  # slug
    title: str  # exactly as displayed
    created: datetime  # K2 created date/time
    byline: tuple[str, ...]  # raw byline lines, as shown at the top of the intro text
    authors: tuple[str, ...]  # expected parsed authors
    issue_date: date | None  # expected date from the byline
    intro: str  # "teaser" | "summary" | "none"
    summary: str | None
    body: tuple[Block, ...]
    images: tuple[tuple[str, str], ...]  # (src path, caption): item image first, then inline
    tags: tuple[str, ...]
    pdfs: tuple[str, ...]  # paths of PDFs linked from the article body, in order
    encoding: str = "utf-8"
    hits: int = 0  # start value of the "Read N times" counter
    # Presentation details (not ground truth of the article itself):
    has_item_image: bool = False  # images[0] is the K2 item image (div.itemImageBlock)
    article_pdf: str | None = None  # the "Click Here to download PDF" target, if any
    pdf_in_intro: bool = False  # that line closes the intro (after the summary), not the body
    byline_layout: str = "p"  # "p": one <p> per line; "br": one <p>, lines split by <br />
    fulltext_layout: str = "p"  # "p": one <p> per paragraph; "br": <br /><br /> separated
    modified: datetime | None = None  # shown as "Last modified on ..." when set
    style: str = field(default="", compare=False)  # generator used for the body

    @property
    def path(self) -> str:
        return item_path(self.section, self.item_id, self.alias)

    @property
    def section_name(self) -> str:
        return SECTIONS[self.section]

    @property
    def teaser(self) -> str | None:
        if self.intro != "teaser":
            return None
        return naive_teaser(self.body[0].text)


@dataclass(frozen=True)
class DeletedItem:
    """An item still linked from a listing but gone from the site: answers 404."""

    item_id: int
    alias: str
    section: str
    title: str
    created: datetime
    intro_html: str

    @property
    def path(self) -> str:
        return item_path(self.section, self.item_id, self.alias)


def item_path(section: str, item_id: int, alias: str) -> str:
    return f"/publications/{section}/item/{item_id}-{alias}.html"


def naive_teaser(text: str) -> str:
    """The migrated items' intro: the text cut after its third ".", splitting naively."""
    if text.count(".") < 3:
        return text
    return ".".join(text.split(".")[:3]) + "."


def slugify(title: str) -> str:
    s = title.lower().replace("'", "").replace("\u2019", "")
    s = re.sub(r"[^a-z0-9]+", "-", s)
    return s.strip("-")


def k2_image_path(item_id: int, size: str = "L") -> str:
    """K2 stores item images as md5("Image" + id) + "_<size>.jpg"."""
    digest = hashlib.md5(f"Image{item_id}".encode()).hexdigest()
    return f"/media/k2/items/cache/{digest}_{size}.jpg"


# ---------------------------------------------------------------------------------------------
# Special cases, referenced by the server and the tests
# ---------------------------------------------------------------------------------------------

SAMPLE_ID = 1730  # the article of /work/shared/samples/field-report-2003-10-08.txt
WINDOWS_1251_ID = 7345  # served as windows-1251, declared only in <meta http-equiv>
RETRY_ONCE_ID = 12530  # first item-view request answers 503 (Retry-After: 1)
OLD_ALIASES: dict[int, str] = {12305: "central-asia-and-the-arab-spring"}  # 301 to current
COMPONENT_LINK_IDS = frozenset({1402, 12610, 13560})  # listed as /component/k2/item/...
OTHER_HOST_LINK_ID = 13700  # its body links an item on the server's other_host
OTHER_HOST_MARK = "{other_host}"
ISSUE_PDF = "/resources/pdf/issues/20090318Analyst.pdf"
DRAFTS_PDF = "/resources/pdf/drafts/2407-Sahbazov-draft.pdf"  # robots.txt disallows it
ROBOTS_DISALLOWED = (
    "/administrator/",
    "/bin/",
    "/cache/",
    "/cli/",
    "/components/",
    "/includes/",
    "/installation/",
    "/language/",
    "/layouts/",
    "/libraries/",
    "/logs/",
    "/modules/",
    "/plugins/",
    "/tmp/",
    "/resources/pdf/drafts/",
)

DELETED_ITEMS: tuple[DeletedItem, ...] = (
    DeletedItem(
        item_id=12199,
        alias="kyrgyz-opposition-regroups-after-spring-unrest",
        section="field-reports",
        title="Kyrgyz Opposition Regroups after Spring Unrest",
        created=datetime(2010, 5, 12, 10, 4),
        intro_html=(
            "<p>By Erkin Usubaliev (5/12/2010 issue of the CACI Analyst)</p>"
            "<p>Opposition leaders in Bishkek met this week to coordinate their positions "
            "ahead of the referendum.</p>\n"
        ),
    ),
)

# Hosts of the real site that links inside article bodies use (all mean "this site").
REAL_HOST_VARIANTS = (
    "https://cacianalyst.org.",
    "http://cacianalyst.org",
    "https://www.cacianalyst.org",
)

# ---------------------------------------------------------------------------------------------
# Prose generation
# ---------------------------------------------------------------------------------------------

COUNTRIES: dict[str, tuple[str, str, str]] = {
    # name: (adjective, capital, region)
    "Kazakhstan": ("Kazakh", "Astana", "Central Asia"),
    "Kyrgyzstan": ("Kyrgyz", "Bishkek", "Central Asia"),
    "Tajikistan": ("Tajik", "Dushanbe", "Central Asia"),
    "Turkmenistan": ("Turkmen", "Ashgabat", "Central Asia"),
    "Uzbekistan": ("Uzbek", "Tashkent", "Central Asia"),
    "Azerbaijan": ("Azerbaijani", "Baku", "the South Caucasus"),
    "Armenia": ("Armenian", "Yerevan", "the South Caucasus"),
    "Georgia": ("Georgian", "Tbilisi", "the South Caucasus"),
    "Afghanistan": ("Afghan", "Kabul", "Central Asia"),
    "Russia": ("Russian", "Moscow", "the former Soviet space"),
    "Turkey": ("Turkish", "Ankara", "the Black Sea region"),
}
POWERS = ("Russia", "China", "the United States", "the European Union", "Turkey", "Iran")
SECTORS = (
    "energy",
    "transport",
    "banking",
    "agricultural",
    "telecommunications",
    "construction",
    "mining",
)
INSTITUTIONS = (
    "the parliament",
    "the Security Council",
    "the Ministry of Interior",
    "the central bank",
    "the Constitutional Court",
    "the presidential administration",
    "the prosecutor's office",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

SENTENCES = (
    "The debate over {T} has exposed a growing divide within the {A} elite",
    "Officials in {cap} present {T} as a technical matter, but its political implications "
    "are difficult to ignore",
    "Since {Y1}, {C} has sought to balance its relations with {P} and {Q} without committing "
    "fully to either",
    "For {P}, the stakes are considerable, since its influence in {R} rests increasingly on "
    "economic rather than military instruments",
    "Critics argue that {I} has been reduced to a rubber stamp for decisions taken elsewhere",
    "According to official figures, some {N} percent of the country's exports now depend on "
    "the {S} sector",
    "The government insists that the reforms will be completed by the end of {Y}",
    "Independent analysts in {cap} are more cautious, noting that similar promises have been "
    "made before",
    "What is new is the willingness of mid-level officials to acknowledge the problem in public",
    "The {S} sector remains the weakest link in the country's development strategy",
    "Regional governors have been instructed to report on progress every quarter",
    "The opposition, weakened by years of pressure, has struggled to offer a credible alternative",
    "Much will depend on whether {P} chooses to treat {T} as a test of its regional standing",
    "In private, diplomats in {cap} concede that the timetable is unrealistic",
    "The episode illustrates how domestic politics and foreign policy have become intertwined "
    "in {R}",
    "Western governments have so far limited their response to statements of concern",
    "Neighboring states are watching the process closely, aware that its outcome may set a "
    "precedent",
    "A parliamentary commission was formed in {M} to examine the matter, but it has yet to "
    "publish its findings",
    "Local media coverage has been sparse, and much of the available information comes from "
    "foreign sources",
    "The costs of inaction are rising, particularly for the rural population",
    "Investors have reacted with caution, postponing several projects in the {S} sector",
    "The issue has also become entangled in the rivalry between competing patronage networks",
    "It remains unclear whether the leadership has a coherent strategy or is simply reacting "
    "to events",
    "The security services have expanded their role, citing the threat of extremism",
    "Yet the legal framework remains vague, leaving wide discretion to individual officials",
    "{C} cannot afford to alienate {P}, which remains one of its most important partners",
    "At the same time, the leadership in {cap} is wary of becoming overly dependent on {Q}",
    "This balancing act has served the country well in the past, but its limits are becoming "
    "apparent",
    "The most likely outcome is a period of incremental adjustment rather than a decisive break",
    "More than {N} officials were dismissed in the course of the campaign, according to the "
    "prosecutor's office",
    "The controversy over {T} is unlikely to fade before the next electoral cycle",
    "International organizations have offered technical assistance, but their leverage is limited",
    "The reaction in {cap} was swift and, by local standards, unusually candid",
    "Remittances from labor migrants continue to cushion the impact of the downturn on households",
    "Energy transit remains central to the country's relations with {P}",
    "The Caspian dimension adds a further layer of complexity to these calculations",
    "Border management has improved, but smuggling networks adapt quickly to new controls",
    "The government has promised greater transparency, though few details have been released",
    "Public trust in {I} remains low, according to surveys conducted in {Y1}",
    "The coming months will show whether the new course can be sustained",
    "Some observers in {cap} interpret {T} as a signal intended for external audiences",
    "The underlying problem is structural and will not be solved by personnel changes alone",
    "Several provincial leaders have publicly endorsed the initiative, while others have "
    "remained silent",
    "Water allocation along the region's rivers remains a persistent source of friction",
    "The decision caught many observers by surprise, including some within {I}",
    "Few expect {I} to challenge the executive on a question of this importance",
    "The {A} leadership has repeatedly stressed that {T} is an internal affair",
    "Trade with {Q} has grown steadily, reaching roughly {N} percent of total turnover",
    "Such arguments carry weight in {cap}, where memories of the turbulent 1990s remain vivid",
    "Nonetheless, the practical effect of {T} has so far been modest",
)

NEWS_SENTENCES = (
    "Officials in {cap} announced the decision on {wd}, saying it would take effect next month",
    "The move follows weeks of negotiations with representatives of {P}",
    "A government spokesman declined to comment on the reported disagreements",
    "Opposition groups criticized the measure as insufficient",
    "The agreement covers cooperation in the {S} sector and is valid for five years",
    "Analysts expect the issue to be raised again at the next session of {I}",
    "Local residents told reporters that prices had risen sharply in recent weeks",
    "The talks will continue in {cap} later this month",
    "According to the ministry, more than {N} people were affected",
    "Observers noted that the announcement came shortly before a scheduled visit by officials "
    "from {P}",
)

NEWS_SOURCES = ("Interfax", "RFE/RL", "Reuters", "AFP", "Itar-Tass", "Eurasianet", "AP")

SUMMARY_SENTENCES = (
    "The recent controversy over {T} has raised new questions about the direction of {A} politics",
    "While officials in {cap} describe {T} as a routine matter, it reflects deeper shifts in "
    "the country's relations with {P}",
    "This article examines how {T} affects the balance of power in {R} and what it means for "
    "Western policy",
    "{C}'s handling of {T} offers a revealing case study of policymaking under pressure",
    "The outcome will shape the country's room for maneuver between {P} and {Q} for years to come",
)

HEADLINES = (
    "{AU} PARLIAMENT APPROVES {SU} SECTOR REFORM",
    "{AU} AND {PU} OFFICIALS DISCUSS BORDER TRADE",
    "OPPOSITION ACTIVISTS DETAINED IN {CAPU}",
    "{AU} GOVERNMENT ANNOUNCES NEW INVESTMENT PLAN",
    "{CU} TO HOST REGIONAL SECURITY MEETING",
    "{AU} MINISTER RESIGNS AFTER CORRUPTION ALLEGATIONS",
    "{CU} SIGNS {SU} AGREEMENT WITH {PU}",
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

BIO_ROLES = (
    "a researcher specializing in the politics of {R}",
    "a freelance journalist based in {cap}",
    "a senior fellow at a Stockholm-based research institute",
    "a lecturer in international relations and a frequent commentator on {R}",
    "an analyst of energy and security affairs in {R}",
)


class _Prose:
    """Deterministic sentence source for one article."""

    def __init__(self, item_id: int, country: str, topic: str, year: int) -> None:
        self.rng = random.Random(item_id)
        adj, cap, region = COUNTRIES[country]
        if country == "Kazakhstan" and 2019 <= year <= 2022:
            cap = "Nur-Sultan"
        powers = [p for p in POWERS if p != country]
        self.rng.shuffle(powers)
        self.slots = {
            "C": country,
            "A": adj,
            "cap": cap,
            "R": region,
            "P": powers[0],
            "Q": powers[1],
            "T": topic,
            "Y": str(year),
            "Y1": str(year - 1),
            "S": self.rng.choice(SECTORS),
            "I": self.rng.choice(INSTITUTIONS),
        }
        self._pool: list[str] = []

    def fill(self, template: str, capitalize: bool = True, **extra: str) -> str:
        slots = dict(self.slots)
        slots["N"] = str(self.rng.randint(3, 95))
        slots["M"] = self.rng.choice(MONTHS)
        slots["wd"] = self.rng.choice(WEEKDAYS)
        slots.update(extra)
        text = template.format(**slots)
        return text[0].upper() + text[1:] if capitalize else text

    def sentence(self) -> str:
        if not self._pool:
            self._pool = list(SENTENCES)
            self.rng.shuffle(self._pool)
        return self.fill(self._pool.pop()) + "."

    def paragraph(self, lo: int = 3, hi: int = 5) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def summary(self) -> str:
        picks = self.rng.sample(SUMMARY_SENTENCES, 2)
        return " ".join(self.fill(s) + "." for s in picks)

    def news_paragraph(self, country: str, lo: int = 2) -> str:
        adj, cap, _ = COUNTRIES[country]
        picks = self.rng.sample(NEWS_SENTENCES, self.rng.randint(lo, 4))
        text = " ".join(self.fill(s, C=country, A=adj, cap=cap) + "." for s in picks)
        return f"{text} ({self.rng.choice(NEWS_SOURCES)})"

    def headline(self, country: str) -> str:
        adj, cap, _ = COUNTRIES[country]
        power = self.rng.choice([p for p in POWERS if p != country])
        return self.rng.choice(HEADLINES).format(
            AU=adj.upper(),
            CU=country.upper(),
            CAPU=cap.upper(),
            PU=power.upper().replace("THE ", ""),
            SU=self.slots["S"].upper(),
        )

    def bio(self, name: str) -> str:
        return f"{name} is " + self.fill(self.rng.choice(BIO_ROLES), capitalize=False) + "."


# ---------------------------------------------------------------------------------------------
# The sample article (verbatim from /work/shared/samples/field-report-2003-10-08.txt)
# ---------------------------------------------------------------------------------------------

SAMPLE_PARAGRAPHS: tuple[str, ...] = (
    (
        "Until recently, problems related to human trafficking have been considered to be a "
        "byproduct of a transitional economy and impoverishment of the population, which can be "
        "partly solved, if not uprooted entirely, by raising the living standards of people. "
        "Economic reality denies this theory. With an inflation rate of only 2.3% and a "
        "relatively high per capita income, Kazakhstan is faring much better than other CIS "
        "countries. Nevertheless, human trafficking has not abated."
    ),
    (
        "Evidently, a healthier economy should be paired with a comprehensive national strategy "
        "which takes social and legal factors into consideration. A round-table conference held "
        "in Astana on September 26, 2003, under the aegis of the International Organization for "
        "Migration (IOM) and the Ministry of Justice of Kazakhstan was a significant event. "
        "Representatives from the OSCE, the European Union, and the Foreign and Interior "
        "Ministries of Kazakhstan discussed at great length Kazakhstan\u2019s three-year program "
        "for combating human trafficking."
    ),
    (
        "Perhaps the most positive side of the meeting was that Justice Minister Zhakyn Asanov "
        "admitted for the first time that Kazakhstan \u201chas turned into a place of origin, "
        "destination and transit point for human trafficking\u201d. Actually, these words "
        "signaled the readiness of Kazakhstan to cooperate with international bodies. "
        "Interestingly, earlier a Justice Ministry spokesman had disclosed that Kazakhstan was "
        "removed by the IOM from the list of the countries which are not willing to tackle the "
        "problem of human trafficking."
    ),
    (
        "According to Ministry of Justice sources, human trafficking ranks third among the most "
        "lucrative illegal businesses, after the trafficking of weapons and drugs. Available "
        "figures confirm this report. Transnational criminal gangs involved in human trafficking "
        "globally make an income of $80 billion annually. Some reports indicate that up to 7000 "
        "women are annually smuggled out of Kazakhstan by criminal groups. The most favored "
        "destinations are United Arab Emirates, Turkey, Greece, Israel and South Korea, were "
        "women, more often than not, are forced to into prostitution."
    ),
    (
        "The existence of a well organized network of illegally operating \u201ctravel "
        "agencies\u201d which airlift young women to Gulf countries providing them with forged "
        "papers is open secret to anyone. Reportedly, there are more than 70 unlicensed travel "
        "agencies in Kazakhstan, not counting illegal ones operating underground. As many "
        "employment agencies lure young people with promises of overseas job opportunities. For "
        "many, these offers are too great a temptation to resist. It is almost impossible to "
        "curb the activities of illegal agencies under the present law."
    ),
    (
        "The Penal Code adopted in 1997 is so inapplicable for its imperfectness that over the "
        "last four years only one person was found guilty under Article 128 of the Code and "
        "sentenced to prison terms. The problem is that the existing Penal Code leaves many "
        "loopholes for human traffickers and makes it impossible to apply the law in some "
        "particular cases. In practice, a person can be sent to prison for raping, swindling, "
        "and trafficking in underage persons, but not for human trafficking as such. Last year, "
        "according the Justice Ministry, 330 cases were brought against criminals involved in "
        "organized prostitution, but none of them were qualified as human trafficking."
    ),
    (
        "Flaws in the Penal Code and in criminal statistics help authorities to create a false "
        "impression that human trafficking is almost non-existent in Kazakhstan. That illusion "
        "fetters numerous human rights activists in the country. Media provides only patchy "
        "stories of victims of human traffickers. All this diverts the public from the problem."
    ),
    (
        "Human trafficking and enslavement of socially unprotected people in Kazakhstan takes "
        "many-faceted forms. In South Kazakhstan, for example, people toiling in the cotton "
        "fields under the scorching sun for a miserable payment are usually Uzbek and Kirghiz "
        "illegal migrants. They are entirely dependent on the whims of their masters who provide "
        "shelter and food. Although the Interior Ministry reported that the number of illegal "
        "migrants has been halved since the beginning of the year, that brings little solace."
    ),
    (
        "Many law experts in Kazakhstan think that Kazakhstan will remain powerless in the face "
        "of human trafficking unless it joins relevant international conventions and makes "
        "necessary amendments to its law. However, that may be the easiest part of the job. For "
        "Kazakhstan at the moment it is far more difficult to synchronize its laws with that of "
        "its close neighbors \u2013Russia, Uzbekistan and Kyrgyzstan. This relationship reminds "
        "of the case of Siamese twins: trying to find common legal basis to curb human "
        "trafficking for these countries is painful, creating separate laws for solving the same "
        "problem is fatally dangerous."
    ),
)

# ---------------------------------------------------------------------------------------------
# The article table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    item_id: int
    section: str
    created: str  # "YYYY-MM-DD HH:MM"
    title: str
    byline: tuple[str, ...]
    authors: tuple[str, ...]
    issue: str | None
    intro: str
    style: str  # "aa_old" | "prose" | "news" | "digest" | "feature" | "sample"
    country: str
    topic: str
    npar: int
    tags: tuple[str, ...] = ()
    alias: str | None = None
    item_image: str | None = None  # caption of the K2 item image
    first: str | None = None  # hand-written first body paragraph (teaser edge cases)
    extras: tuple[str, ...] = ()  # list, table, blockquote, img, links, pdfs ...
    hits: int | None = None
    encoding: str = "utf-8"
    byline_layout: str | None = None
    fulltext_layout: str = "p"


_S = _Spec
AA, FR, ND, FA = "analytical-articles", "field-reports", "news-digest", "feature-articles"
ISSUE = "issue of the CACI Analyst)"

_SPECS: tuple[_Spec, ...] = (
    # ----- Analytical Articles ----------------------------------------------------------------
    _S(1012, AA, "2000-07-05 00:00", "RUSSIA'S NEW CASPIAN POLICY: CONTINUITY OR CHANGE?",
       (f"By Daniel Pilgrim (7/5/2000 {ISSUE}",), ("Daniel Pilgrim",), "2000-07-05",
       "teaser", "aa_old", "Russia", "the new Caspian policy", 8,
       ("Russia", "Caspian Sea", "energy")),
    _S(1335, AA, "2001-03-14 00:00", "THE FERGHANA VALLEY AFTER THE BATKEN INCURSIONS",
       (f"By Dilshod Yusupov (3/14/2001 {ISSUE}",), ("Dilshod Yusupov",), "2001-03-14",
       "teaser", "aa_old", "Uzbekistan", "the border regime in the Ferghana Valley", 9,
       ("Uzbekistan", "Kyrgyzstan", "security")),
    # Listed after 1335 (ordering by id) though created later: "not strictly by date".
    _S(1299, AA, "2001-05-16 00:00", "TURKMENISTAN'S NEUTRALITY UNDER STRAIN",
       (f"By Laura Whitfield (5/16/2001 {ISSUE}",), ("Laura Whitfield",), "2001-05-16",
       "teaser", "aa_old", "Turkmenistan", "the doctrine of permanent neutrality", 7,
       ("Turkmenistan", "energy")),
    _S(1399, AA, "2002-04-24 00:00",
       "AFGHANISTAN'S NORTHERN NEIGHBORS AFTER THE FALL OF THE TALIBAN",
       (f"By Erik Lindqvist (4/24/2002 {ISSUE}",), ("Erik Lindqvist",), "2002-04-24",
       "teaser", "aa_old", "Afghanistan", "the reopening of northern trade routes", 10,
       ("Afghanistan", "security")),
    _S(1702, AA, "2003-10-08 00:00", "GEORGIA BEFORE THE PARLIAMENTARY ELECTIONS",
       (f"By Tamar Beridze (10/8/2003 {ISSUE}",), ("Tamar Beridze",), "2003-10-08",
       "teaser", "aa_old", "Georgia", "the parliamentary campaign", 8,
       ("Georgia", "elections"),
       first=(
           "Georgia enters its parliamentary campaign with a weakened ruling party and a "
           "fragmented opposition. The outcome will be decided in the regions, i.e. outside "
           "Tbilisi, where local officials control much of the vote. Observers expect "
           "irregularities on a significant scale, and the opposition has already announced "
           "plans for a parallel count."
       )),
    _S(2290, AA, "2004-09-22 00:00", "CHINA'S GROWING FOOTPRINT IN KAZAKH OIL",
       (f"By Nurlan Abenov (9/22/2004 {ISSUE}",), ("Nurlan Abenov",), "2004-09-22",
       "teaser", "aa_old", "Kazakhstan", "Chinese investment in the oil sector", 9,
       ("China", "Kazakhstan", "energy"),
       first=(
           "Chinese investment in Kazakhstan's oil sector reached $1.2 billion last year, and "
           "the pipeline to Xinjiang is moving from plan to construction. Beijing has become a "
           "serious competitor to Western majors. The implications for the Caspian energy "
           "balance are only beginning to be understood in Astana."
       )),
    _S(2490, AA, "2005-03-23 00:00", "THE TULIP REVOLUTION AND ITS REGIONAL REPERCUSSIONS",
       (f"By Jonas Bergstr\u00f6m (3/23/2005 {ISSUE}",), ("Jonas Bergstr\u00f6m",),
       "2005-03-23", "teaser", "aa_old", "Kyrgyzstan", "the change of power in Bishkek", 10,
       ("Kyrgyzstan", "elections")),
    _S(5820, AA, "2006-11-29 00:00", "UZBEKISTAN'S RETURN TO RUSSIA'S ORBIT",
       (f"By Dilshod Yusupov (11/29/2006 {ISSUE}",), ("Dilshod Yusupov",), "2006-11-29",
       "teaser", "aa_old", "Uzbekistan", "the alliance treaty with Moscow", 8,
       ("Uzbekistan", "Russia")),
    _S(9870, AA, "2007-06-13 00:00", "TURKEY AND THE SOUTH CAUCASUS: A NEW ENGAGEMENT?",
       (f"By G\u00fcl\u015fen Ayd\u0131n (6/13/2007 {ISSUE}",), ("G\u00fcl\u015fen Ayd\u0131n",),
       "2007-06-13", "teaser", "aa_old", "Turkey", "the opening toward the South Caucasus", 9,
       ("Turkey", "Georgia", "Azerbaijan")),
    _S(11502, AA, "2007-09-19 09:12", "KAZAKHSTAN'S ONE-PARTY PARLIAMENT",
       (f"By Nurlan Abenov (9/19/2007 {ISSUE}",), ("Nurlan Abenov",), "2007-09-19",
       "teaser", "aa_old", "Kazakhstan", "the new one-party legislature", 8,
       ("Kazakhstan", "elections")),
    _S(11820, AA, "2008-08-20 11:40",
       "THE RUSSIA-GEORGIA WAR AND THE FUTURE OF THE SOUTH CAUCASUS",
       (f"By Svante E. Cornell and S. Frederick Starr (8/20/2008 {ISSUE}",),
       ("Svante E. Cornell", "S. Frederick Starr"), "2008-08-20",
       "teaser", "aa_old", "Georgia", "the August war", 11,
       ("Georgia", "Russia", "conflict settlement", "security"),
       item_image="Georgian soldiers near Gori, August 2008"),
    _S(12110, AA, "2009-09-30 10:05", "TURKMENISTAN'S GAS DIVERSIFICATION GAMBLE",
       (f"By Laura Whitfield (9/30/2009 {ISSUE}",), ("Laura Whitfield",), "2009-09-30",
       "teaser", "aa_old", "Turkmenistan", "the diversification of gas exports", 9,
       ("Turkmenistan", "energy", "China"),
       item_image="A gas processing facility in eastern Turkmenistan"),
    _S(12305, AA, "2011-02-09 14:20",
       "Central Asia and the Arab Spring: Lessons for Regional Regimes",
       (f"By Aziz Karimov (2/9/2011 {ISSUE}",), ("Aziz Karimov",), "2011-02-09",
       "teaser", "aa_old", "Uzbekistan", "the lessons of the Arab uprisings", 8,
       ("security", "Uzbekistan")),
    _S(12530, AA, "2012-06-13 09:30", "Azerbaijan after Eurovision: Image and Reality",
       (f"By Rovshan Ismayilov (06/13/2012 {ISSUE}",), ("Rovshan Ismayilov",), "2012-06-13",
       "teaser", "aa_old", "Azerbaijan", "the international image campaign", 9,
       ("Azerbaijan", "human rights"),
       item_image="Crystal Hall on the Baku seafront",
       extras=("blockquote",)),
    _S(12785, AA, "2013-09-18 08:45", "Armenia's U-Turn on the EU Association Agreement",
       ("By Tigran Avetisyan (the 18/09/2013 issue of the CACI Analyst)",),
       ("Tigran Avetisyan",), "2013-09-18", "teaser", "aa_old", "Armenia",
       "the decision to join the Customs Union", 10, ("Armenia", "EU", "Russia"),
       extras=("img_caption",)),
    _S(12889, AA, "2014-02-19 10:10", "India's Challenges in Central Asia",
       (f"By Aziz Karimov (02/19/2014 {ISSUE}",), ("Aziz Karimov",), "2014-02-19",
       "teaser", "aa_old", "Tajikistan", "the Connect Central Asia policy", 8,
       ("India", "Tajikistan")),
    _S(13050, AA, "2014-12-10 09:00",
       "Kazakhstan's Nurly Zhol Program: Infrastructure as Crisis Response",
       (f"By Nurlan Abenov (12/10/2014 {ISSUE}",), ("Nurlan Abenov",), "2014-12-10",
       "teaser", "aa_old", "Kazakhstan", "the Nurly Zhol program", 9,
       ("Kazakhstan", "economy"),
       item_image="Construction of a highway section near Almaty",
       extras=("link_http_bare",)),
    _S(13180, AA, "2015-06-24 12:00",
       "The EEU at Six Months: Disappointment in Bishkek and Yerevan",
       ("By Svante E. Cornell", "June 24th, 2015, The CACI Analyst"), ("Svante E. Cornell",),
       "2015-06-24", "summary", "prose", "Kyrgyzstan", "membership in the Eurasian Economic Union",
       8, ("Kyrgyzstan", "Armenia", "Russia", "economy"),
       item_image="Customs post on the Kyrgyz-Kazakh border",
       extras=("table",)),
    _S(13420, AA, "2017-05-03 11:15", "Azerbaijan's Balancing Act between Moscow and Brussels",
       ("By Fuad \u015eahbazov", "May 3, 2017, the CACI Analyst"), ("Fuad \u015eahbazov",),
       "2017-05-03", "summary", "prose", "Azerbaijan", "the new partnership talks with Brussels",
       7, ("Azerbaijan", "Russia", "EU"),
       item_image="The Heydar Aliyev Center in Baku"),
    _S(13560, AA, "2019-03-14 09:20", "Uzbekistan's Reforms Enter a Harder Phase",
       ("By Aziz Karimov", "March 14, 2019, the CACI Analyst"), ("Aziz Karimov",),
       "2019-03-14", "summary", "prose", "Uzbekistan", "the second stage of economic reform", 9,
       ("Uzbekistan", "economy"),
       item_image="The Tashkent City construction site"),
    _S(13640, AA, "2020-10-14 10:30", "The Second Karabakh War and the Regional Order",
       ("By Svante E. Cornell", "October 14, 2020, the CACI Analyst"), ("Svante E. Cornell",),
       "2020-10-14", "none", "prose", "Azerbaijan", "the fighting in Karabakh", 10,
       ("Armenia", "Azerbaijan", "Nagorno-Karabakh", "conflict settlement")),
    _S(13905, AA, "2025-12-03 09:00", "Central Asia's New Water Diplomacy",
       ("G\u00fcl\u015fen Karaca", "December 3, 2025"), ("G\u00fcl\u015fen Karaca",),
       "2025-12-03", "summary", "feature", "Uzbekistan", "the new water-sharing framework", 8,
       ("Uzbekistan", "Kazakhstan", "water"),
       item_image="The Amu Darya near Termez",
       extras=("pdf",)),
    # ----- Field Reports ----------------------------------------------------------------------
    _S(1190, FR, "2000-11-08 00:00", "KYRGYZ PRESIDENTIAL ELECTION DRAWS CRITICISM",
       (f"By Erkin Usubaliev (11/8/2000 {ISSUE}",), ("Erkin Usubaliev",), "2000-11-08",
       "teaser", "prose", "Kyrgyzstan", "the conduct of the presidential election", 6,
       ("Kyrgyzstan", "elections")),
    _S(1402, FR, "2002-03-13 00:00", "KAZAKH MILITARY ON REFORM TRACK",
       (f"By Marat Yermukanov, Kazakhstan (3/13/2002 {ISSUE}",), ("Marat Yermukanov",),
       "2002-03-13", "teaser", "prose", "Kazakhstan", "the military reform", 7,
       ("Kazakhstan", "security")),
    _S(1650, FR, "2003-03-12 00:00", "ARMENIAN PRESIDENTIAL RUNOFF LEAVES OPPOSITION BITTER",
       (f"By Tigran Avetisyan (03/12/2003 {ISSUE}",), ("Tigran Avetisyan",), "2003-03-12",
       "teaser", "prose", "Armenia", "the disputed runoff", 6, ("Armenia", "elections")),
    _S(SAMPLE_ID, FR, "2003-10-08 00:00", "KAZAKHSTAN UNDER PRESSURE FOR HUMAN TRAFFICKING",
       (f"By Marat Yermukanov (10/8/2003 {ISSUE}",), ("Marat Yermukanov",), "2003-10-08",
       "teaser", "sample", "Kazakhstan", "human trafficking", 9,
       ("Kazakhstan", "human trafficking"), hits=3129),
    _S(2551, FR, "2005-03-23 00:00", "PROTESTS SPREAD FROM JALALABAD TO OSH",
       (f"By Erkin Usubaliev (3/23/2005 {ISSUE}",), ("Erkin Usubaliev",), "2005-03-23",
       "teaser", "prose", "Kyrgyzstan", "the protests in the south", 5,
       ("Kyrgyzstan", "elections")),
    # Lower id than 2551 but created later: listing order is not strictly by date.
    _S(2480, FR, "2005-11-16 00:00", "AZERBAIJAN'S ELECTIONS: OBSERVERS DIVIDED",
       (f"By Rovshan Ismayilov (11/16/2005 {ISSUE}",), ("Rovshan Ismayilov",), "2005-11-16",
       "teaser", "prose", "Azerbaijan", "the verdict of the observer missions", 6,
       ("Azerbaijan", "elections")),
    _S(WINDOWS_1251_ID, FR, "2007-02-21 00:00", "NEW MEDIA RULES WORRY KAZAKH JOURNALISTS",
       ("By \u0410\u0439\u0433\u0435\u0440\u0438\u043c \u041d\u0443\u0440\u043b\u0430\u043d\u043e"
        f"\u0432\u0430 (2/21/2007 {ISSUE}",),
       ("\u0410\u0439\u0433\u0435\u0440\u0438\u043c \u041d\u0443\u0440\u043b\u0430\u043d\u043e"
        "\u0432\u0430",),
       "2007-02-21", "teaser", "prose", "Kazakhstan", "the amended media law", 7,
       ("Kazakhstan", "media"), encoding="windows-1251", extras=("cyrillic",)),
    _S(10402, FR, "2007-08-08 00:00", "GEORGIAN AIRSPACE INCIDENT DEEPENS RIFT WITH MOSCOW",
       (f"By Nino Kapanadze (8/8/2007 {ISSUE}",), ("Nino Kapanadze",), "2007-08-08",
       "teaser", "prose", "Georgia", "the missile incident", 6,
       ("Georgia", "Russia", "security")),
    _S(11698, FR, "2008-02-06 16:02", "ARMENIA'S PRESIDENTIAL RACE ENTERS FINAL STRETCH",
       (f"By Tigran Avetisyan (2/6/2008 {ISSUE}",), ("Tigran Avetisyan",), "2008-02-06",
       "none", "prose", "Armenia", "the presidential race", 5, ("Armenia", "elections")),
    _S(12010, FR, "2009-03-18 10:00", "UZBEK COTTON HARVEST UNDER INTERNATIONAL SCRUTINY",
       (f"By Dilshod Yusupov (3/18/2009 {ISSUE}",), ("Dilshod Yusupov",), "2009-03-18",
       "teaser", "prose", "Uzbekistan", "the use of child labor in the cotton harvest", 6,
       ("Uzbekistan", "human rights"), extras=("issue_pdf",)),
    _S(12230, FR, "2010-06-23 12:45", "Kyrgyzstan's Southern Crisis Tests Interim Government",
       (f"By Erkin Usubaliev (6/23/2010 {ISSUE}",), ("Erkin Usubaliev",), "2010-06-23",
       "none", "prose", "Kyrgyzstan", "the violence in Osh and Jalalabad", 7,
       ("Kyrgyzstan", "security", "conflict settlement")),
    _S(12610, FR, "2012-10-03 13:10", "Georgian Dream Wins Parliamentary Elections",
       (f"By Nino Kapanadze (10/3/2012 {ISSUE}",), ("Nino Kapanadze",), "2012-10-03",
       "teaser", "prose", "Georgia", "the transfer of power", 6, ("Georgia", "elections"),
       item_image="Supporters of the opposition coalition in Tbilisi"),
    _S(12962, FR, "2014-07-02 12:32", "Tajikistan Tightens Control over Religious Education",
       (f"By Aziz Karimov (07/02/2014 {ISSUE}",), ("Aziz Karimov",), "2014-07-02",
       "teaser", "prose", "Tajikistan", "the rules on religious education", 6,
       ("Tajikistan", "human rights"),
       item_image="A madrasa in the Rasht valley",
       extras=("link_trailing_dot",)),
    _S(13240, FR, "2015-11-16 11:00", "Georgia's Ruling Coalition Faces Internal Strains",
       ("By Eka Janashia", "November 16th, 2015, The CACI Analyst"), ("Eka Janashia",),
       "2015-11-16", "summary", "prose", "Georgia", "the rift within the ruling coalition", 6,
       ("Georgia",), item_image="The Georgian parliament building in Kutaisi"),
    _S(13244, FR, "2015-11-19 15:30", "Georgian Opposition Plans Protest over Media Case",
       ("By Eka Janashia", "November 19th, the CACI Analyst"), ("Eka Janashia",),
       "2015-11-19", "summary", "prose", "Georgia", "the court case over the television channel",
       5, ("Georgia", "media")),
    _S(13305, FR, "2016-03-09 10:20", "Kazakhstan Prepares for Snap Parliamentary Elections",
       ("By Nurlan Abenov", "March 9th, 2016, The CACI Analyst"), ("Nurlan Abenov",),
       "2016-03-09", "summary", "prose", "Kazakhstan", "the early elections", 6,
       ("Kazakhstan", "elections"), item_image="A polling station in Astana",
       extras=("list",)),
    _S(13390, FR, "2016-10-12 09:40", "Uzbekistan's Interim Leadership Signals Change",
       ("By Dilshod Yusupov", "October 12th, 2016, The CACI Analyst"), ("Dilshod Yusupov",),
       "2016-10-12", "summary", "prose", "Uzbekistan", "the succession", 6, ("Uzbekistan",),
       extras=("link_www",)),
    # ----- News Digest ------------------------------------------------------------------------
    _S(1047, ND, "2000-07-19 00:00", "AZERBAIJAN RAISES OIL OUTPUT",
       (f"By empty (7/19/2000 {ISSUE}",), (), "2000-07-19", "teaser", "news", "Azerbaijan",
       "oil output", 4, ("Azerbaijan", "energy"), fulltext_layout="br"),
    _S(1418, ND, "2002-04-19 00:00", "UZBEKISTAN TO EASE CURRENCY RESTRICTIONS",
       (f"By empty (4/19/2002 {ISSUE}",), (), "2002-04-19", "teaser", "news", "Uzbekistan",
       "currency convertibility", 4, ("Uzbekistan", "economy")),
    # Lower id than 1418 but created later.
    _S(1380, ND, "2002-05-29 00:00", "GEORGIA AND RUSSIA AGREE ON PANKISI PATROLS",
       (f"By empty (5/29/2002 {ISSUE}",), (), "2002-05-29", "teaser", "news", "Georgia",
       "the Pankisi gorge", 4, ("Georgia", "Russia", "security")),
    _S(2105, ND, "2004-05-19 00:00", "TAJIK AUTHORITIES DETAIN OPPOSITION ACTIVISTS",
       (f"By empty (5/19/2004 {ISSUE}",), (), "2004-05-19", "none", "news", "Tajikistan",
       "the arrests", 4, ("Tajikistan", "human rights")),
    _S(3005, ND, "2005-08-10 00:00", "KAZAKH AND RUSSIAN OFFICIALS DISCUSS BAIKONUR LEASE",
       (f"By empty (8/10/2005 {ISSUE}",), (), "2005-08-10", "teaser", "news", "Kazakhstan",
       "the Baikonur lease", 5, ("Kazakhstan", "Russia")),
    _S(4410, ND, "2006-06-14 00:00", "TURKMEN GAS PRICE TALKS STALL",
       (f"By empty (6/14/2006 {ISSUE}",), (), "2006-06-14", "teaser", "news", "Turkmenistan",
       "the gas price", 4, ("Turkmenistan", "energy", "Russia")),
    _S(11476, ND, "2007-09-05 10:00", "5 September 2007 News Digest",
       (f"By Alima Bissenova (9/5/2007 {ISSUE}",), ("Alima Bissenova",), "2007-09-05",
       "none", "digest", "Kazakhstan", "", 4,
       alias="news-digest-caci-analyst-2007-9-5-art-11476"),
    _S(11590, ND, "2007-10-17 10:00", "17 October 2007 News Digest",
       (f"By Alima Bissenova (10/17/2007 {ISSUE}",), ("Alima Bissenova",), "2007-10-17",
       "none", "digest", "Kyrgyzstan", "", 3,
       alias="news-digest-caci-analyst-2007-10-17-art-11590"),
    _S(11905, ND, "2008-12-10 10:00", "10 December 2008 News Digest",
       (f"By Alima Bissenova (12/10/2008 {ISSUE}",), ("Alima Bissenova",), "2008-12-10",
       "none", "digest", "Azerbaijan", "", 4,
       alias="news-digest-caci-analyst-2008-12-10-art-11905"),
    _S(12420, ND, "2011-11-16 10:00", "16 November 2011 News Digest",
       (f"By Alima Bissenova (11/16/2011 {ISSUE}",), ("Alima Bissenova",), "2011-11-16",
       "none", "digest", "Georgia", "", 3,
       alias="news-digest-caci-analyst-2011-11-16-art-12420"),
    _S(12650, ND, "2012-11-28 10:00", "28 November 2012 News Digest",
       (f"By Alima Bissenova (11/28/2012 {ISSUE}",), ("Alima Bissenova",), "2012-11-28",
       "none", "digest", "Uzbekistan", "", 3,
       alias="news-digest-caci-analyst-2012-11-28-art-12650"),
    # ----- Feature Articles -------------------------------------------------------------------
    _S(13575, FA, "2019-04-10 10:00", "The Middle Corridor Gains Momentum",
       ("By Jonas Bergstr\u00f6m", "April 10, 2019, the CACI Analyst"),
       ("Jonas Bergstr\u00f6m",), "2019-04-10", "summary", "feature", "Azerbaijan",
       "the trans-Caspian transport route", 9, ("Azerbaijan", "Kazakhstan", "Middle Corridor"),
       item_image="The port of Alat south of Baku", extras=("pdf",)),
    _S(13610, FA, "2020-02-05 09:30", "Kazakhstan's Political Transition, One Year On",
       ("By Nurlan Abenov", "February 5, 2020, the CACI Analyst"), ("Nurlan Abenov",),
       "2020-02-05", "summary", "feature", "Kazakhstan", "the dual power arrangement", 8,
       ("Kazakhstan",), item_image="The Akorda presidential palace",
       extras=("pdf", "link_relative")),
    _S(OTHER_HOST_LINK_ID, FA, "2021-06-16 10:15",
       "Afghanistan's Neighbors Prepare for the U.S. Withdrawal",
       ("By Erik Lindqvist", "June 16, 2021, the CACI Analyst"), ("Erik Lindqvist",),
       "2021-06-16", "summary", "feature", "Afghanistan", "the withdrawal of Western forces",
       10, ("Afghanistan", "security", "Uzbekistan", "Tajikistan"),
       item_image="The Friendship Bridge at Termez", extras=("pdf", "link_other_host")),
    _S(13745, FA, "2022-09-21 11:00", "Russia's War and Central Asia's Hedging",
       ("By Laura Whitfield", "September 21, 2022, the CACI Analyst"), ("Laura Whitfield",),
       "2022-09-21", "summary", "feature", "Kazakhstan", "the response to the war in Ukraine", 9,
       ("Russia", "Kazakhstan"), item_image="Leaders at a regional summit in Astana",
       extras=("pdf_in_intro", "table")),
    _S(13768, FA, "2023-11-08 09:00", "Armenia and Azerbaijan after Karabakh",
       ("By Tamar Beridze", "November 8, 2023, the CACI Analyst"), ("Tamar Beridze",),
       "2023-11-08", "none", "feature", "Armenia", "the peace negotiations", 8,
       ("Armenia", "Azerbaijan", "conflict settlement"), extras=("pdf",)),
    _S(13790, FA, "2024-07-12 10:00", "Azerbaijan's Green Energy Ambitions",
       ("Fuad \u015eahbazov", "July 12, 2024"), ("Fuad \u015eahbazov",), "2024-07-12",
       "summary", "feature", "Azerbaijan", "the renewable energy strategy", 9,
       ("Azerbaijan", "energy"), item_image="Wind turbines on the Absheron peninsula",
       extras=("figure", "drafts_pdf", "pdf")),
    _S(13812, FA, "2024-10-30 10:00", "T\u00fcrkiye and the Organization of Turkic States",
       ("G\u00fcl\u015fen Karaca", "October 30, 2024"), ("G\u00fcl\u015fen Karaca",),
       "2024-10-30", "summary", "feature", "Turkey", "the Turkic integration agenda", 8,
       ("T\u00fcrkiye", "Turkic states"), item_image="The summit hall in Bishkek",
       extras=("pdf",), alias="turkiye-and-the-organization-of-turkic-states"),
    _S(13850, FA, "2025-03-05 10:00", "Baku's Mediation Bid in the Caspian",
       ("\u018fli H\u0259s\u0259nov", "March 5, 2025"), ("\u018fli H\u0259s\u0259nov",),
       "2025-03-05", "summary", "feature", "Azerbaijan", "the Caspian mediation initiative", 9,
       ("Azerbaijan", "Caspian Sea"), item_image="Oil platforms off the Absheron coast",
       extras=("pdf", "list"), byline_layout="br"),
    _S(13871, FA, "2025-06-18 10:00", "Kyrgyzstan's Constitutional Reform Revisited",
       ("Marta Kowalska", "June 18, 2025"), ("Marta Kowalska",), "2025-06-18", "none",
       "feature", "Kyrgyzstan", "the constitutional amendments", 7, ("Kyrgyzstan",),
       extras=("pdf",)),
    _S(13898, FA, "2025-11-19 10:00", "China's Rail Link to Uzbekistan Breaks Ground",
       ("Nodira Rakhimova", "November 19, 2025"), ("Nodira Rakhimova",), "2025-11-19",
       "summary", "feature", "Uzbekistan", "the China-Kyrgyzstan-Uzbekistan railway", 8,
       ("China", "Uzbekistan", "Kyrgyzstan"), item_image="Groundbreaking ceremony near Jalalabad",
       extras=("pdf", "blockquote"), byline_layout="br"),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Building articles from the table
# ---------------------------------------------------------------------------------------------

_CYRILLIC_PARAGRAPHS = (
    "The draft, published under the title \u00ab\u041e \u0432\u043d\u0435\u0441\u0435\u043d"
    "\u0438\u0438 \u0438\u0437\u043c\u0435\u043d\u0435\u043d\u0438\u0439 \u0432 \u0417\u0430"
    "\u043a\u043e\u043d \u043e \u0441\u0440\u0435\u0434\u0441\u0442\u0432\u0430\u0445 \u043c"
    "\u0430\u0441\u0441\u043e\u0432\u043e\u0439 \u0438\u043d\u0444\u043e\u0440\u043c\u0430"
    "\u0446\u0438\u0438\u00bb, would oblige every website to register as a media outlet. The "
    "newspaper \u00ab\u0412\u0440\u0435\u043c\u044f\u00bb called it a step backward.",
    "\u0416\u0443\u0440\u043d\u0430\u043b\u0438\u0441\u0442\u044b \u0441\u0447\u0438\u0442"
    "\u0430\u044e\u0442, \u0447\u0442\u043e \u043d\u043e\u0432\u044b\u0435 \u043f\u0440\u0430"
    "\u0432\u0438\u043b\u0430 \u043e\u0433\u0440\u0430\u043d\u0438\u0447\u0430\u0442 \u0441"
    "\u0432\u043e\u0431\u043e\u0434\u0443 \u0441\u043b\u043e\u0432\u0430 \u0432 \u0441\u0442"
    "\u0440\u0430\u043d\u0435.",
)

_TABLE = (
    ("Year", "Exports (USD billion)", "Imports (USD billion)"),
    ("2020", "4.2", "7.9"),
    ("2021", "5.1", "9.3"),
    ("2022", "6.8", "11.6"),
)

_LIST_ITEMS = (
    "Expanding the electoral threshold for smaller parties",
    "Shortening the campaign period to three weeks",
    "Allowing international observers at all polling stations",
    "Publishing preliminary results within twenty-four hours",
)

_BLOCKQUOTES = {
    12530: "We have shown the world a modern, open and confident country, and the world has "
    "seen it.",
    13898: "This railway will connect our people and our markets for the next hundred years.",
    WINDOWS_1251_ID: _CYRILLIC_PARAGRAPHS[1],
}

_INLINE_IMAGES = {
    12785: ("/images/stories/maps/armenia-customs-union.jpg", "Map of the Customs Union area"),
    13790: ("/images/2024/07/absheron-wind-farm.jpg", "Planned offshore wind zones in the Caspian"),
}

# inline images that the editor linked to a larger copy of themselves (item id: full-size path)
_FULL_SIZE_INLINE = {12785: "/images/stories/maps/armenia-customs-union-large.jpg"}

_SUBHEADS = ("Background", "A Changing Context", "Implications", "Conclusions")


def _dt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def _pdf_name(spec: _Spec) -> str:
    surname = spec.authors[0].split()[-1] if spec.authors else "Analyst"
    surname = unicodedata.normalize("NFKD", surname.replace("\u0259", "a"))
    surname = re.sub(r"[^A-Za-z]", "", surname) or "Analyst"
    return f"/resources/pdf/{spec.created[2:4]}{spec.created[5:7]}-{surname}.pdf"


def _link_target(item_id: int) -> tuple[str, str]:
    spec = next(s for s in _SPECS if s.item_id == item_id)
    return spec.section, _alias(spec)


def _alias(spec: _Spec) -> str:
    return spec.alias or slugify(spec.title)


def _body(spec: _Spec, year: int) -> tuple[Block, ...]:
    if spec.style == "sample":
        return tuple(Block("p", t) for t in SAMPLE_PARAGRAPHS)
    prose = _Prose(spec.item_id, spec.country, spec.topic or "the talks", year)
    blocks: list[Block] = []
    if spec.style == "digest":
        day = _dt(spec.created)
        stories = spec.npar
        countries = list(COUNTRIES)[:9]
        prose.rng.shuffle(countries)
        for i in range(stories):
            country = countries[i % len(countries)]
            blocks.append(Block("h", prose.headline(country)))
            blocks.append(Block("p", f"{max(day.day - 1 - i, 1)} {MONTHS[day.month - 1]}"))
            for _ in range(prose.rng.randint(1, 2)):
                blocks.append(Block("p", prose.news_paragraph(country)))
        return tuple(blocks)
    # A teaser must cut the first paragraph short (the notes: "the first time cut short").
    lo = 4 if spec.intro == "teaser" else 3
    if spec.style == "news":
        first = prose.news_paragraph(spec.country, lo=3)
        rest = (prose.news_paragraph(spec.country) for _ in range(spec.npar - 1))
        return (Block("p", first), *(Block("p", t) for t in rest))
    first = spec.first or prose.paragraph(lo, lo + 2)
    if spec.style == "aa_old":
        n = spec.npar
        blocks.append(Block("p", first))
        rest = n - 1 - (1 if spec.authors else 0)
        labels = {0: "BACKGROUND: ", max(1, rest // 2): "IMPLICATIONS: ", rest - 1: "CONCLUSIONS: "}
        for i in range(rest):
            blocks.append(Block("p", labels.get(i, "") + prose.paragraph()))
        if spec.authors:
            bio = " ".join(prose.bio(a) for a in spec.authors)
            blocks.append(Block("p", "AUTHOR'S BIO: " + bio))
    elif spec.style == "feature":
        blocks.append(Block("p", first))
        heads = iter(_SUBHEADS)
        for i in range(spec.npar - 1):
            if i % 3 == 0:
                blocks.append(Block("h", next(heads, "Outlook")))
            blocks.append(Block("p", prose.paragraph()))
    else:  # prose
        blocks.append(Block("p", first))
        blocks.extend(Block("p", prose.paragraph()) for _ in range(spec.npar - 1))
    return tuple(_add_extras(spec, blocks, prose))


def _insert_at(blocks: list[Block], frac: float, new: list[Block]) -> None:
    pos = max(1, min(len(blocks) - 1, round(len(blocks) * frac)))
    blocks[pos:pos] = new


def _add_extras(spec: _Spec, blocks: list[Block], prose: _Prose) -> list[Block]:
    ex = spec.extras
    if "blockquote" in ex:
        _insert_at(blocks, 0.5, [Block("blockquote", _BLOCKQUOTES[spec.item_id])])
    if "cyrillic" in ex:
        _insert_at(blocks, 0.4, [Block("p", _CYRILLIC_PARAGRAPHS[0])])
        _insert_at(blocks, 0.7, [Block("blockquote", _BLOCKQUOTES[spec.item_id])])
    if "table" in ex:
        intro = Block("p", "The table below shows the evolution of trade with the bloc.")
        _insert_at(blocks, 0.6, [intro, Block("table", cells=_TABLE)])
    if "list" in ex:
        intro = Block("p", "The main changes to the electoral rules are the following:")
        _insert_at(blocks, 0.5, [intro, *(Block("li", t) for t in _LIST_ITEMS)])
    if "img_caption" in ex or "figure" in ex:
        src, cap = _INLINE_IMAGES[spec.item_id]
        full = _FULL_SIZE_INLINE.get(spec.item_id, "")
        _insert_at(blocks, 0.3, [Block("img", cap, src=src, href=full)])
    if "issue_pdf" in ex:
        text = (
            "The full issue of the Analyst in which this report appeared, including the "
            "accompanying analytical articles, can be downloaded as a PDF file."
        )
        blocks.append(Block("p", text, href=ISSUE_PDF, anchor="downloaded as a PDF file"))
    if "drafts_pdf" in ex:
        text = "An earlier draft of this analysis was circulated for comment in the spring."
        _insert_at(blocks, 0.8, [Block("p", text, href=DRAFTS_PDF, anchor="earlier draft")])
    links = {
        # extra name: (host, target id, sentence, anchor)
        "link_trailing_dot": (
            "https://cacianalyst.org.",
            1335,
            "The Analyst described the origins of these tensions in an earlier article on "
            "the Ferghana Valley.",
            "earlier article on the Ferghana Valley",
        ),
        "link_http_bare": (
            "http://cacianalyst.org",
            12889,
            "Similar connectivity ambitions were discussed in an earlier analysis of India's "
            "regional policy.",
            "earlier analysis of India's regional policy",
        ),
        "link_www": (
            "https://www.cacianalyst.org",
            5820,
            "The background to these choices was covered in this publication a decade ago.",
            "covered in this publication",
        ),
        "link_relative": (
            "",
            13575,
            "The transport dimension was examined in a previous feature on the Middle Corridor.",
            "previous feature on the Middle Corridor",
        ),
        "link_other_host": (
            "http://" + OTHER_HOST_MARK,
            1399,
            "A partner publication has compiled a useful chronology of the northern routes.",
            "useful chronology of the northern routes",
        ),
    }
    for name, (host, target, text, anchor) in links.items():
        if name in ex:
            section, alias = _link_target(target)
            href = host + item_path(section, target, alias)
            _insert_at(blocks, 0.65, [Block("p", text, href=href, anchor=anchor)])
    return blocks


def _build(spec: _Spec) -> Article:
    created = _dt(spec.created)
    body = _body(spec, created.year)
    prose = _Prose(spec.item_id + 100000, spec.country, spec.topic or "the talks", created.year)
    summary = prose.summary() if spec.intro == "summary" else None
    images: list[tuple[str, str]] = []
    if spec.item_image:
        images.append((k2_image_path(spec.item_id), spec.item_image))
    images.extend((b.src, b.text) for b in body if b.kind == "img")
    pdfs = [b.href for b in body if b.href.endswith(".pdf")]
    article_pdf = _pdf_name(spec) if {"pdf", "pdf_in_intro"} & set(spec.extras) else None
    if article_pdf:
        pdfs.append(article_pdf)
    hits = spec.hits if spec.hits is not None else 150 + (spec.item_id * 7919) % 6000
    modified = None
    if spec.item_id % 5 == 0 and spec.item_id != SAMPLE_ID:
        modified = created.replace(hour=14, minute=7) + timedelta(days=2)
    layout = spec.byline_layout or ("br" if spec.item_id % 2 else "p")
    return Article(
        item_id=spec.item_id,
        alias=_alias(spec),
        section=spec.section,
        title=spec.title,
        created=created,
        byline=spec.byline,
        authors=spec.authors,
        issue_date=date.fromisoformat(spec.issue) if spec.issue else None,
        intro=spec.intro,
        summary=summary,
        body=body,
        images=tuple(images),
        tags=spec.tags,
        pdfs=tuple(pdfs),
        encoding=spec.encoding,
        hits=hits,
        has_item_image=bool(spec.item_image),
        article_pdf=article_pdf,
        pdf_in_intro="pdf_in_intro" in spec.extras,
        byline_layout=layout,
        fulltext_layout=spec.fulltext_layout,
        modified=modified,
        style=spec.style,
    )


ARTICLES: list[Article] = [_build(s) for s in _SPECS]
BY_ID: dict[int, Article] = {a.item_id: a for a in ARTICLES}
TAGS: tuple[str, ...] = tuple(sorted({t for a in ARTICLES for t in a.tags}))


def section_listing(section: str) -> list[Article | DeletedItem]:
    """A section's listing order (K2 ordering: by id, descending), deleted items included."""
    entries: list[Article | DeletedItem] = [a for a in ARTICLES if a.section == section]
    entries += [d for d in DELETED_ITEMS if d.section == section]
    return sorted(entries, key=lambda e: e.item_id, reverse=True)


def section_articles(section: str) -> list[Article]:
    return [e for e in section_listing(section) if isinstance(e, Article)]


def tagged(tag: str) -> list[Article]:
    """Items of a tag, site-wide, newest first."""
    items = [a for a in ARTICLES if tag in a.tags]
    return sorted(items, key=lambda a: (a.created, a.item_id), reverse=True)


def newest(n: int, until: datetime | None = None) -> list[Article]:
    items = [a for a in ARTICLES if until is None or a.created <= until]
    return sorted(items, key=lambda a: (a.created, a.item_id), reverse=True)[:n]


def all_pdf_paths() -> list[str]:
    return sorted({p for a in ARTICLES for p in a.pdfs})


def full_size_images(article: Article) -> list[str]:
    """The full-size images the article links to: K2's _XL copy of its item image, and the
    larger copies its inline images link to."""
    paths = [k2_image_path(article.item_id, "XL")] if article.has_item_image else []
    return paths + [b.href for b in article.body if b.kind == "img" and b.href]


def all_image_paths() -> list[str]:
    paths = {src for a in ARTICLES for src, _ in a.images}
    paths |= {p for a in ARTICLES for p in full_size_images(a)}
    return sorted(paths)


# ---------------------------------------------------------------------------------------------
# Expected output of a perfect extractor
# ---------------------------------------------------------------------------------------------


def expected_paragraphs(article: Article) -> list[str]:
    """Strings that must each appear in the extracted text, in this order."""
    out: list[str] = []
    for b in article.body:
        if b.kind in ("p", "h", "li", "blockquote"):
            out.append(b.text)
        elif b.kind == "table":
            out.extend(cell for row in b.cells for cell in row)
    return out


def expected_records(base_url: str) -> list[dict]:
    base = base_url.rstrip("/")
    records = []
    for a in ARTICLES:
        records.append(
            {
                "url": base + a.path,
                "item_id": a.item_id,
                "section": a.section_name,
                "title": a.title,
                "authors": list(a.authors),
                "published": a.created.date().isoformat(),
                "issue_date": a.issue_date.isoformat() if a.issue_date else None,
                "summary": a.summary,
                "paragraphs": expected_paragraphs(a),
                "images": [{"url": base + src, "caption": cap} for src, cap in a.images],
                "tags": list(a.tags),
                "pdf_urls": [base + p for p in a.pdfs],
                "language": "en",
            }
        )
    return records


STAFF_PUBLICATIONS: tuple[tuple[str, str, str, str], ...] = (
    # (label, text, title (a boilerplate string), image alt or "")
    (
        "Silk Road Paper",
        "S. Frederick Starr, U.S. Policy in Central Asia through Central Asian Eyes, May 2023.",
        "U.S. Policy in Central Asia through Central Asian Eyes",
        "Screen Shot 2023-05-08 at 10.32.15 AM",
    ),
    (
        "Analysis",
        'Svante E. Cornell, "Promise and Peril in the Caucasus," AFPC Insights, March 30, 2023.',
        "Promise and Peril in the Caucasus",
        "",
    ),
    (
        "Oped",
        "S. Frederick Starr, Putin's War In Ukraine and the Crimean War), 19fourtyfive, "
        "January 2, 2023",
        "Putin's War In Ukraine and the Crimean War",
        "",
    ),
    (
        "Oped",
        "S. Frederick Starr, Russia Needs Its Own Charles de Gaulle,  Foreign Policy, "
        "July 21, 2022.",
        "Russia Needs Its Own Charles de Gaulle",
        "",
    ),
    (
        "Silk Road Paper",
        "S. Frederick Starr, Rethinking Greater Central Asia: American and Western Stakes in "
        "the Region and How to Advance Them, June 2022",
        "Rethinking Greater Central Asia",
        "2206-Starr",
    ),
    (
        "Oped",
        "Svante E. Cornell & Albert Barro, With referendum, Kazakh President pushes for "
        "reforms, Euractiv, June 3, 2022.",
        "With referendum, Kazakh President pushes for reforms",
        "",
    ),
    (
        "Oped",
        "Svante E. Cornell Russia's Southern Neighbors Take a Stand, The Hill, May 6, 2022.",
        "Russia's Southern Neighbors Take a Stand",
        "",
    ),
    (
        "Silk Road Paper",
        "Johan Engvall, Between Bandits and Bureaucrats: 30 Years of Parliamentary Development "
        "in Kyrgyzstan, January 2022.",
        "Between Bandits and Bureaucrats",
        "",
    ),
)

MENU_ENTRIES = (
    "Home",
    "Publications",
    "Analytical Articles",
    "Field Reports",
    "News Digest",
    "Feature Articles",
    "Editorial",
    "Editorial principles",
    "Submission guidelines",
    "Topics",
    "Energy",
    "Conflict settlement",
    "About",
    "Silk Road Studies",
)
# The menu's pages of their own (the others are section listings, tag listings, other hosts).
MENU_PAGE_PATHS = (
    "/",
    "/editorial/editorial-principles.html",
    "/editorial/submission-guidelines.html",
    "/about.html",
)

ABOUT_PARAGRAPH = (
    "The Central Asia-Caucasus Analyst is a biweekly publication of the Central Asia-Caucasus "
    "Institute & Silk Road Studies Program, a Joint Transatlantic Research and Policy Center "
    "affiliated with the American Foreign Policy Council, Washington DC., and the Institute for "
    "Security and Development Policy, Stockholm. For 15 years, the Analyst has brought cutting "
    "edge analysis of the region geared toward a practitioner audience."
)

NEWSLETTER_LINE = "Sign up for upcoming events, latest news and articles from the CACI Analyst"

# "Read <b>N</b> times" as text: a pattern, for tests that want it.
HITS_PATTERN = r"\bRead \d+ times\b"


def expected_boilerplate() -> list[str]:
    """Concrete strings that must never appear in an extracted article text.

    Menu entries that are ordinary words ("Home", "About", "Energy"...) are left out:
    as substrings they would match real prose. See HITS_PATTERN for "Read N times".
    """
    strings = [
        "Visit also",
        "Staff Publications",
        "is a biweekly publication",
        ABOUT_PARAGRAPH,
        "Newsletter",
        NEWSLETTER_LINE,
        "Sign up for upcoming events",
        "Published in",
        "Read more",
        "Tagged under",
        "More in this category",
        "Last modified on",
        "back to top",
    ]
    words = ("Home", "About", "Publications", "Editorial", "Topics", "Energy",
             "Conflict settlement", "Silk Road Studies")  # fmt: skip
    strings += [m for m in MENU_ENTRIES if m not in words]
    strings += [title for _, _, title, _ in STAFF_PUBLICATIONS]
    for a in ARTICLES:
        strings.extend(a.byline)
        strings.extend(cap for _, cap in a.images)
    seen: set[str] = set()
    return [s for s in strings if not (s in seen or seen.add(s))]


def _check() -> None:
    """Import-time sanity checks of the table (cheap; a broken table must not load)."""
    ids = [a.item_id for a in ARTICLES] + [d.item_id for d in DELETED_ITEMS]
    assert len(ids) == len(set(ids)), "duplicate item ids"
    for a in ARTICLES:
        assert a.section in SECTIONS
        assert len([b for b in a.body if b.kind != "img"]) >= 4 or a.style == "digest", a.item_id
        if a.intro == "teaser":
            assert a.body[0].kind == "p"
            assert naive_teaser(a.body[0].text) != a.body[0].text, a.item_id
        assert (a.summary is not None) == (a.intro == "summary")
        for b in a.body:
            if b.anchor:
                assert b.anchor in b.text, (a.item_id, b.anchor)
        if a.encoding != "utf-8":
            a.title.encode(a.encoding)
            for b in a.body:
                b.text.encode(a.encoding)
    for x, y in pairwise(sorted(a.item_id for a in ARTICLES if a.created.year >= 2008)):
        assert BY_ID[x].created < BY_ID[y].created, (x, y)


_check()
