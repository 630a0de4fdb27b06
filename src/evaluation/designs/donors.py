"""Donor pools: which kommuner the comparison-group designs may use, chosen in the spec.

Synthetic control, difference-in-differences and synthetic DiD compare the treated kommun with
a set of other kommuner (the *donors*). The spec's ``donors`` block chooses them::

    donors:
      pool: liknande                 # all | kommungrupp | liknande | list
      group: "Liknande kommuner, arbetsmarknad"
      exclude_same_county: true
      exclude: ["1982"]              # neighbours (spill-over)
      similar_reforms: ["0583"]      # kommuner with a similar reform in the window

* ``all`` — every kommun in the data;
* ``kommungrupp`` — the treated kommun's group in the units table (SKR's kommungrupp), or the
  Kolada group named by ``group`` (title or id, e.g. ``"Stockholms läns kommuner"``);
* ``liknande`` — Kolada's "Liknande kommuner …" group of the treated kommun: the family named by
  ``group`` (default by outcome: *arbetsmarknad* for unemployment, *ekonomiskt bistånd* for
  households on social assistance), the group of that family whose title names the treated
  kommun (the latest year when there are several);
* ``list`` — the codes in ``units``.

Then, in this order, kommuner in the treated kommun's county (``exclude_same_county``), listed
neighbours, kommuner with a similar reform and kommuner with any missing or suppressed value of
the outcome in the window are dropped, each with its reason. Donors are units of the treated
unit's own kind — kommuner (four-digit codes not starting with ``00``) for a kommun, the other län
(two-digit codes) for a län — and the treated unit never is one.

The pool's size bounds inference: with ``n`` donors the smallest two-sided placebo (rank)
p-value is ``1/(n+1)`` — a pool of 7 can never show p < 1/8 = 0.125.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.data.panel import (
    NATIONAL_CODE,
    period_frequency,
    period_range,
    rows_where,
    unit_names,
)
from evaluation.errors import DataError, DesignError, EvaluationError
from evaluation.spec import validate_donors, where

__all__ = [
    "DEFAULT_FAMILIES",
    "GROUP_COLUMNS",
    "REASONS",
    "DonorPool",
    "GroupTable",
    "donor_pool",
    "is_kommun",
    "is_lan",
    "is_peer",
    "units_table_from_kommunkoder",
]

GROUP_COLUMNS = ("group_id", "group_title", "member_id", "member_title")
UNIT_COLUMNS = ("unit", "unit_name", "unit_type", "lan", "lan_name", "kommungrupp", "population")

#: "Liknande kommuner" family used when ``group`` is not given, by outcome.
DEFAULT_FAMILIES = {
    "unemployment_rate": "arbetsmarknad",
    "unemployed": "arbetsmarknad",
    "households_assistance": "ekonomiskt bistånd",
}
FALLBACK_FAMILY = "övergripande"
_SIMILAR_PREFIX = "liknande kommuner"

SAME_COUNTY = "same county"
NEIGHBOUR = "listed neighbour"
SIMILAR_REFORM = "similar reform"
MISSING = "missing or suppressed data in the window"
NOT_IN_GROUP = "not in group"
#: Reason key -> (Swedish, English) wording, in the order the filters run.
REASONS: dict[str, tuple[str, str]] = {
    SAME_COUNTY: ("samma län", "same county"),
    NEIGHBOUR: ("angiven granne", "listed neighbour"),
    SIMILAR_REFORM: ("liknande reform", "similar reform"),
    MISSING: ("saknade eller skyddade värden under perioden",
              "missing or suppressed data in the window"),
    NOT_IN_GROUP: ("inte med i gruppen", "not in group"),
}
# How to widen the pool when a reason emptied it: (Swedish, English).
_FIXES: dict[str, tuple[str, str]] = {
    SAME_COUNTY: ("sätt exclude_same_county: false", "set exclude_same_county: false"),
    NEIGHBOUR: ("korta listan exclude", "shorten the exclude list"),
    SIMILAR_REFORM: ("korta listan similar_reforms", "shorten the similar_reforms list"),
    MISSING: ("välj ett kortare fönster eller ett annat utfall",
              "choose a shorter window or another outcome"),
}
MIN_DONORS = 2
_YEAR = re.compile(r"^\d{4}$")


def is_kommun(code: str) -> bool:
    """True for a kommun code: four digits, not ``00xx`` (Riket and Kolada's regions)."""
    code = str(code)
    return len(code) == 4 and code.isdigit() and not code.startswith("00")


def is_lan(code: str) -> bool:
    """True for a county code: two digits, not ``00`` (riket)."""
    code = str(code)
    return len(code) == 2 and code.isdigit() and code != NATIONAL_CODE


def is_peer(code: str, treated: str) -> bool:
    """``code`` is a unit of the treated unit's kind: a kommun for a kommun, a län for a län."""
    return is_lan(code) if is_lan(treated) else is_kommun(code)


def _unit_words(treated: str) -> tuple[str, str, str, str]:
    """(singular sv, plural sv, singular en, plural en) of the treated unit's kind."""
    if is_lan(treated):
        return "län", "län", "county", "counties"
    return "kommun", "kommuner", "municipality", "municipalities"


def _code(value: Any) -> str:
    """A unit code as text, with a leading zero lost by a spreadsheet restored."""
    code = str(value).strip()
    if code.endswith(".0"):
        code = code[:-2]
    if code.isdigit() and len(code) in (1, 3):
        code = code.zfill(len(code) + 1)
    return code


def _norm(title: str) -> str:
    """Title for matching: case-folded, no Kolada "(ovägt medel)", commas or extra spaces."""
    text = str(title).casefold().replace("(ovägt medel)", " ").replace(",", " ")
    return " ".join(text.split())


#: SKR's kommungrupper (2023 classification), as Kolada titles its groups of them.
SKR_KOMMUNGRUPPER = (
    "Storstäder", "Pendlingskommun nära storstad", "Större stad",
    "Pendlingskommun nära större stad", "Lågpendlingskommun nära större stad",
    "Mindre stad/tätort", "Pendlingskommun nära mindre tätort", "Landsbygdskommun",
    "Landsbygdskommun med besöksnäring",
)


# =========================================================================== group table
@dataclass(frozen=True)
class GroupTable:
    """Municipality groups in Kolada's long format, one row per member.

    Attributes
    ----------
    frame
        group_id, group_title, member_id, member_title (strings; member codes with leading
        zeros).
    source
        Where the table was read from (for the report).
    """

    frame: pd.DataFrame
    source: str = ""

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "") -> GroupTable:
        """Check the columns and normalise codes and text."""
        missing = [c for c in GROUP_COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(
                f"Grupptabellen {source or ''} saknar kolumnerna {', '.join(missing)}: den ska "
                "ha kolumnerna group_id, group_title, member_id, member_title (Koladas format).",
                f"The group table {source or ''} lacks the columns {', '.join(missing)}: it needs "
                "group_id, group_title, member_id, member_title (Kolada's format).",
            )
        out = frame[list(GROUP_COLUMNS)].astype(str).copy()
        for column in GROUP_COLUMNS:
            out[column] = out[column].str.strip()
        out["member_id"] = out["member_id"].map(_code)
        out = out.drop_duplicates(["group_id", "member_id"])
        return cls(out.sort_values(["group_id", "member_id"]).reset_index(drop=True), source)

    @classmethod
    def from_path(cls, path: str | Path) -> GroupTable:
        """Read a CSV (e.g. ``kolada_municipality_groups_long.csv``) or parquet group table."""
        path = Path(path)
        if not path.is_file():
            raise DataError(
                f"Grupptabellen {path} finns inte: ange sökvägen till en fil i Koladas långa "
                "format (group_id, group_title, member_id, member_title).",
                f"The group table {path} does not exist: give the path to a file in Kolada's "
                "long format (group_id, group_title, member_id, member_title).",
            )
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return cls.from_frame(frame, source=str(path))

    # ------------------------------------------------------------------ lookups
    @property
    def names(self) -> dict[str, str]:
        """Member code -> member title."""
        rows = self.frame.drop_duplicates("member_id")
        return dict(zip(rows["member_id"], rows["member_title"], strict=True))

    def titles(self) -> dict[str, str]:
        """Group id -> group title."""
        rows = self.frame.drop_duplicates("group_id")
        return dict(zip(rows["group_id"], rows["group_title"], strict=True))

    def groups_for(self, unit: str) -> pd.DataFrame:
        """The groups ``unit`` is a member of: group_id, group_title (sorted by id)."""
        rows = self.frame[self.frame["member_id"] == _code(unit)]
        return rows[["group_id", "group_title"]].reset_index(drop=True)

    def kommungrupp_of(self, unit: str) -> str | None:
        """The title of the SKR kommungrupp (:data:`SKR_KOMMUNGRUPPER`) ``unit`` belongs to."""
        skr = {_norm(name) for name in SKR_KOMMUNGRUPPER}
        for title in self.groups_for(unit)["group_title"]:
            if _norm(title) in skr:
                return str(title)
        return None

    def members(self, group_id: str) -> list[str]:
        """Member codes of a group (sorted)."""
        return sorted(self.frame.loc[self.frame["group_id"] == group_id, "member_id"])

    def find(self, text: str) -> str | None:
        """The id of the group whose id or title (case, commas, "(ovägt medel)" aside) is ``text``.

        Several groups with the same title: the last id in sort order.
        """
        text = str(text).strip()
        titles = self.titles()
        if text in titles:
            return text
        wanted = _norm(text)
        hits = sorted(g for g, t in titles.items() if _norm(t) == wanted)
        return hits[-1] if hits else None

    def similar_groups(self, unit: str, name: str | None = None) -> pd.DataFrame:
        """The "Liknande kommuner …" groups *of* ``unit`` (their title names it).

        Parameters
        ----------
        unit
            Kommun code; its name is taken from the table's member titles.
        name
            Another spelling of the kommun's name to accept (e.g. from the units table).

        Returns
        -------
        pandas.DataFrame
            group_id, group_title, family (normalised, e.g. ``"liknande kommuner
            arbetsmarknad"``) and year (``""`` when the title has none).
        """
        wanted = {n.casefold() for n in (self.names.get(_code(unit)), name) if n}
        rows = []
        for group_id, title in self.titles().items():
            parsed = _parse_similar(title)
            if parsed and parsed[1].casefold() in wanted:
                rows.append((group_id, title, parsed[0], parsed[2]))
        return pd.DataFrame(rows, columns=["group_id", "group_title", "family", "year"])


def _parse_similar(title: str) -> tuple[str, str, str] | None:
    """``"Liknande kommuner arbetsmarknad, Arboga, 2024"`` -> (family, "Arboga", "2024")."""
    if not _norm(title).startswith(_SIMILAR_PREFIX):
        return None
    parts = [p.strip() for p in str(title).split(",")]
    year = ""
    if len(parts) > 2 and _YEAR.match(parts[-1]):
        year = parts.pop()
    if len(parts) < 2:
        return None
    return _norm(", ".join(parts[:-1])), parts[-1], year


def _family_key(text: str) -> str:
    """``"arbetsmarknad"`` or ``"Liknande kommuner, arbetsmarknad"`` -> the normalised family."""
    key = _norm(text)
    return key if key.startswith(_SIMILAR_PREFIX) else f"{_SIMILAR_PREFIX} {key}"


# =========================================================================== units table
def units_table_from_kommunkoder(path: str | Path) -> pd.DataFrame:
    """A units table from a kommunkoder file (kommunkod, kommun, lan_kod, lan, skr_kommungrupp).

    Parameters
    ----------
    path
        CSV like ``sweden/kommunkoder_290_lan_skrgrupp.csv`` (codes read as text).

    Returns
    -------
    pandas.DataFrame
        unit, unit_name, unit_type (``kommun``), lan, lan_name, kommungrupp, population (NaN:
        the file has none).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"Kommunfilen {path} finns inte: ange sökvägen till en fil med kolumnerna "
            "kommunkod, kommun, lan_kod, lan, skr_kommungrupp.",
            f"The municipality file {path} does not exist: give the path to a file with the "
            "columns kommunkod, kommun, lan_kod, lan, skr_kommungrupp.",
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    needed = ("kommunkod", "kommun", "lan_kod")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"Kommunfilen {path} saknar kolumnerna {', '.join(missing)}.",
            f"The municipality file {path} lacks the columns {', '.join(missing)}.",
        )
    codes = frame["kommunkod"].map(_code).str.zfill(4)
    return pd.DataFrame({
        "unit": codes,
        "unit_name": frame["kommun"].str.strip(),
        "unit_type": "kommun",
        "lan": frame["lan_kod"].map(_code).str.zfill(2),
        "lan_name": frame.get("lan", pd.Series("", index=frame.index)).str.strip(),
        "kommungrupp": frame.get("skr_kommungrupp",
                                 pd.Series("", index=frame.index)).str.strip(),
        "population": float("nan"),
    })


# =========================================================================== the pool
@dataclass
class DonorPool:
    """The donors of one treated kommun and one outcome, and every kommun left out.

    Attributes
    ----------
    members
        Donor codes, sorted.
    dropped
        One dict per kommun removed from the chosen group (or named in ``exclude`` /
        ``similar_reforms`` but not in it): unit, unit_name, reason (a key of
        :data:`REASONS`), reason_sv, reason_en. The first applicable reason, in the order of
        :data:`REASONS`.
    pool
        ``all``, ``kommungrupp``, ``liknande`` or ``list``.
    description_sv, description_en
        What the pool is, e.g. "Kolada-gruppen Liknande kommuner arbetsmarknad, Arboga, 2024,
        utan kommuner i samma län".
    treated, outcome, start, end
        What the pool was checked for.
    group_id, group_title
        The group behind a ``kommungrupp`` or ``liknande`` pool.
    names
        Code -> name of the members and dropped kommuner.
    config
        The validated ``donors`` settings.
    """

    members: list[str]
    dropped: list[dict[str, str]]
    pool: str
    description_sv: str
    description_en: str
    treated: str
    outcome: str
    start: str
    end: str
    group_id: str | None = None
    group_title: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    unit_type: str = "kommun"  # kommun, or lan when a län is evaluated against the other län

    @property
    def n(self) -> int:
        """Number of donors."""
        return len(self.members)

    @property
    def min_p_value(self) -> float:
        """``1/(n+1)``: the smallest two-sided placebo rank p-value this pool allows."""
        return 1.0 / (self.n + 1)

    def description(self, language: str = "sv") -> str:
        return self.description_en if language == "en" else self.description_sv

    def dropped_counts(self) -> dict[str, int]:
        """Reason -> number of kommuner dropped for it (reasons in filter order)."""
        counts = Counter(d["reason"] for d in self.dropped)
        return {r: counts[r] for r in REASONS if counts[r]}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able summary (for summary.json)."""
        return {
            "pool": self.pool,
            "group_id": self.group_id,
            "group_title": self.group_title,
            "description_sv": self.description_sv,
            "description_en": self.description_en,
            "treated": self.treated,
            "outcome": self.outcome,
            "window": [self.start, self.end],
            "n": self.n,
            "min_p_value": self.min_p_value,
            "members": list(self.members),
            "member_names": {u: self.names.get(u, u) for u in self.members},
            "dropped": [dict(d) for d in self.dropped],
            "dropped_counts": self.dropped_counts(),
            "config": dict(self.config),
            "unit_type": self.unit_type,
        }

    def text(self, language: str = "sv") -> str:
        """One sentence: the pool, its size, what was dropped and the smallest p-value."""
        en = language == "en"
        plural = "län" if self.unit_type == "lan" and not en else (
            "counties" if self.unit_type == "lan" else "municipalities")
        p = _number(self.min_p_value, language)
        removed = [d for d in self.dropped if d["reason"] != NOT_IN_GROUP]
        ignored = len(self.dropped) - len(removed)
        if not removed:
            gone = ""
        elif len(removed) <= 5:
            listed = "; ".join(
                f"{d['unit_name']} ({d['reason_en'] if en else d['reason_sv']})" for d in removed
            )
            gone = f", after dropping {listed}" if en else f", sedan {listed} tagits bort"
        else:
            counts = self.dropped_counts()
            counts.pop(NOT_IN_GROUP, None)
            listed = ", ".join(f"{REASONS[r][1 if en else 0]}: {k}" for r, k in counts.items())
            gone = (f", after dropping {len(removed)} ({listed})" if en
                    else f", sedan {len(removed)} tagits bort ({listed})")
        if ignored:
            gone += (f"; {ignored} named "
                     f"{'municipalities were' if ignored > 1 else 'municipality was'} "
                     "not in the group" if en
                     else f"; {ignored} angiven{'a' if ignored > 1 else ''} "
                     f"kommun{'er' if ignored > 1 else ''} fanns inte i gruppen")
        if en:
            return (f"The donor pool is {self.description_en}: {self.n} {plural}{gone}; with "
                    f"{self.n} donors the smallest possible placebo p-value is "
                    f"1/{self.n + 1} = {p}.")
        return (f"Donatorpoolen är {self.description_sv}: {self.n} {plural}{gone}; med "
                f"{self.n} donatorer är det minsta möjliga p-värdet i placebotestet "
                f"1/{self.n + 1} = {p}.")


def _number(value: float, language: str) -> str:
    text = f"{value:.3f}"
    return text if language == "en" else text.replace(".", ",")


# --------------------------------------------------------------------------- building
def donor_pool(
    panel: pd.DataFrame,
    *,
    treated: str,
    outcome: str,
    config: Mapping[str, Any] | None,
    units: pd.DataFrame | None,
    groups: GroupTable | None,
    start: str,
    end: str,
    lines: Mapping[str, int] | None = None,
) -> DonorPool:
    """The donor pool the spec's ``donors`` block asks for.

    Parameters
    ----------
    panel
        Canonical long panel (``unit, unit_name, period, measure, value[, status]``).
    treated
        Code of the treated unit (never a donor). A kommun's donors are kommuner, a län's the
        other län (``pool: all`` or ``list``).
    outcome
        Measure whose values must be complete in ``start``..``end`` for a donor.
    config
        The ``donors`` settings (``Spec.donors``; validated again here, ``None`` = defaults).
    units
        Units table (unit, unit_name, lan, kommungrupp[, population]) — ``load_demo_units()``
        for the demo, :func:`units_table_from_kommunkoder` for real data — or None (counties
        are then the first two code digits, and ``pool: kommungrupp`` needs ``group``).
    groups
        Group table (Kolada's long format) for ``liknande`` and named groups, or None.
    start, end
        The window (pre- and post-period) in which a donor's outcome must be complete.
    lines
        YAML lines (``Spec.lines``) to name in messages, optional.

    Returns
    -------
    DonorPool

    Raises
    ------
    DesignError
        Unknown codes in ``units``, ``exclude`` or ``similar_reforms``; an unknown group or
        family; no group table for ``liknande``; an outcome missing from the panel; fewer than
        two donors left (the message names what removed them and what to change).
    """
    cfg = validate_donors(dict(config) if config is not None else None)
    lines = dict(lines or {})
    treated = _code(treated)
    _check_window(panel, outcome, start, end)
    table = _units_frame(units)
    names = _names(panel, table, groups)
    county = _county_of(table)
    known = _known_kommuner(panel, table, groups)
    _check_codes(cfg, known, names, lines)

    base, group_id, group_title, what = _base_pool(
        cfg, panel=panel, treated=treated, outcome=outcome, table=table, groups=groups,
        names=names, lines=lines,
    )
    base = sorted({u for u in base if is_peer(u, treated) and not _inside(u, treated)})
    members, dropped = _filter(base, cfg=cfg, treated=treated, county=county, panel=panel,
                               outcome=outcome, start=start, end=end, names=names)
    description_sv, description_en = _describe(cfg, what)
    pool = DonorPool(
        members=members, dropped=dropped, pool=cfg["pool"], description_sv=description_sv,
        description_en=description_en, treated=treated, outcome=outcome, start=start, end=end,
        group_id=group_id, group_title=group_title,
        names={u: names.get(u, u) for u in [*members, *(d["unit"] for d in dropped)]},
        config=cfg, unit_type="lan" if is_lan(treated) else "kommun",
    )
    if pool.n < MIN_DONORS:
        raise _too_small(pool, len(base), lines)
    return pool


def _check_window(panel: pd.DataFrame, outcome: str, start: str, end: str) -> None:
    for value in (start, end):
        try:
            period_frequency(str(value))
        except EvaluationError:
            raise DesignError(
                f"Fönstret för donatorpoolen har perioden '{value}': skriv ÅÅÅÅ-MM eller ÅÅÅÅ.",
                f"The donor-pool window has the period '{value}': write YYYY-MM or YYYY.",
            ) from None
    if str(start) > str(end):
        raise DesignError(
            f"Fönstret för donatorpoolen börjar ({start}) efter att det slutar ({end}): byt "
            "plats på perioderna.",
            f"The donor-pool window starts ({start}) after it ends ({end}): swap the periods.",
        )
    if not (panel["measure"] == outcome).any():
        known = ", ".join(sorted(panel["measure"].unique()))
        raise DesignError(
            f"Panelen saknar måttet {outcome}, så donatorernas data kan inte prövas: välj ett "
            f"av {known}.",
            f"The panel lacks the measure {outcome}, so the donors' data cannot be checked: "
            f"choose one of {known}.",
        )


def _units_frame(units: pd.DataFrame | None) -> pd.DataFrame | None:
    if units is None:
        return None
    if "unit" not in units.columns:
        raise DataError(
            "Enhetstabellen saknar kolumnen unit: den ska ha unit, unit_name, lan, kommungrupp.",
            "The units table lacks the column unit: it needs unit, unit_name, lan, kommungrupp.",
        )
    frame = units.copy()
    frame["unit"] = frame["unit"].map(_code)
    for column in ("unit_name", "lan", "kommungrupp"):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str)
    return frame[frame["unit"].map(is_kommun)].drop_duplicates("unit").set_index("unit")


def _names(panel: pd.DataFrame, table: pd.DataFrame | None,
           groups: GroupTable | None) -> dict[str, str]:
    names: dict[str, str] = dict(groups.names) if groups is not None else {}
    names.update(unit_names(panel))
    if table is not None:
        names.update({u: n for u, n in table["unit_name"].items() if n})
    return names


def _county_of(table: pd.DataFrame | None):
    lan = dict(table["lan"].items()) if table is not None else {}

    def county(code: str) -> str:
        return lan.get(code) or code[:2]

    return county


def _known_kommuner(panel: pd.DataFrame, table: pd.DataFrame | None,
                    groups: GroupTable | None) -> set[str]:
    lan = {u for u in panel["unit"].astype(str).unique() if is_lan(u)}
    if table is not None:
        return set(table.index) | lan
    known = {u for u in panel["unit"].astype(str).unique() if is_kommun(u)} | lan
    if groups is not None:
        known |= {u for u in groups.frame["member_id"] if is_kommun(u)}
    return known


def _field(key: str, lines: Mapping[str, int], language: str = "sv") -> str:
    return where(f"donors.{key}", lines.get(f"donors.{key}", lines.get("donors")), language)


def _check_codes(cfg: dict[str, Any], known: set[str], names: dict[str, str],
                 lines: Mapping[str, int]) -> None:
    for key in ("units", "exclude", "similar_reforms"):
        unknown = [c for c in cfg[key] if c not in known]
        if unknown:
            listed = ", ".join(unknown)
            raise DesignError(
                f"{_field(key, lines)} nämner {listed}, som inte är "
                f"{'kommuner' if len(unknown) > 1 else 'en kommun'} i data: kontrollera koderna "
                "(fyra siffror inom citattecken, t.ex. \"0114\").",
                f"{_field(key, lines, 'en')} names {listed}, which "
                f"{'are not municipalities' if len(unknown) > 1 else 'is not a municipality'} "
                "in the data: check the codes (four digits in quotes, e.g. \"0114\").",
            )


def _inside(code: str, treated: str) -> bool:
    """``code`` is the treated unit or a kommun of a treated county."""
    if code == treated:
        return True
    return len(treated) == 2 and treated != NATIONAL_CODE and code.startswith(treated)


# --------------------------------------------------------------------------- base pools
def _base_pool(cfg: dict[str, Any], *, panel: pd.DataFrame, treated: str, outcome: str,
               table: pd.DataFrame | None, groups: GroupTable | None, names: dict[str, str],
               lines: Mapping[str, int]) -> tuple[list[str], str | None, str | None,
                                                  tuple[str, str]]:
    """Candidate codes, group id and title, and (sv, en) wording of the pool."""
    kind = cfg["pool"]
    _one, many_sv, _one_en, many_en = _unit_words(treated)
    if kind == "all":
        codes = [u for u in panel["unit"].astype(str).unique() if is_peer(u, treated)]
        return codes, None, None, (f"alla {many_sv} i data", f"all {many_en} in the data")
    if kind == "list":
        return list(cfg["units"]), None, None, (
            f"de {len(cfg['units'])} angivna {'länen' if is_lan(treated) else 'kommunerna'}",
            f"the {len(cfg['units'])} listed {many_en}",
        )
    if not is_kommun(treated):
        raise DesignError(
            f"pool: {kind} kräver att den utvärderade enheten är en kommun, inte {treated}: "
            "välj pool: all eller list.",
            f"pool: {kind} needs the treated unit to be a municipality, not {treated}: choose "
            "pool: all or list.",
        )
    if kind == "kommungrupp":
        return _kommungrupp(cfg, treated, table, groups, names, lines)
    return _liknande(cfg, treated, outcome, groups, names, lines)


def _kommungrupp(cfg: dict[str, Any], treated: str, table: pd.DataFrame | None,
                 groups: GroupTable | None, names: dict[str, str],
                 lines: Mapping[str, int]) -> tuple[list[str], str | None, str | None,
                                                    tuple[str, str]]:
    wanted = cfg["group"]
    if wanted is None and (table is None or treated not in table.index
                           or not table.at[treated, "kommungrupp"]) and groups is not None:
        wanted = groups.kommungrupp_of(treated)  # Kolada's groups name SKR's kommungrupper
    if wanted is None:
        if table is None or treated not in table.index or not table.at[treated, "kommungrupp"]:
            name = names.get(treated, treated)
            raise DesignError(
                f"Kommungruppen för {name} ({treated}) är okänd: ange donors.group (t.ex. "
                "\"Pendlingskommun nära större stad\") eller en enhetstabell med kolumnen "
                "kommungrupp.",
                f"The kommungrupp of {name} ({treated}) is unknown: give donors.group (e.g. "
                "\"Pendlingskommun nära större stad\") or a units table with the column "
                "kommungrupp.",
            )
        wanted = table.at[treated, "kommungrupp"]
    if groups is not None:
        group_id = groups.find(wanted)
        if group_id is not None:
            title = groups.titles()[group_id]
            return groups.members(group_id), group_id, title, (
                f"kommungruppen {title}", f"the kommungrupp {title}")
    if table is not None:
        hits = table.index[table["kommungrupp"].map(_norm) == _norm(wanted)]
        if len(hits):
            title = str(table.loc[hits[0], "kommungrupp"])
            return list(hits), None, title, (f"kommungruppen {title}", f"the kommungrupp {title}")
    available = sorted({g for g in table["kommungrupp"] if g}) if table is not None else []
    hint_sv = f" Kommungrupper i enhetstabellen: {', '.join(available)}." if available else ""
    hint_en = f" Kommungrupper in the units table: {', '.join(available)}." if available else ""
    raise DesignError(
        f"{_field('group', lines)} nämner gruppen '{wanted}', som varken finns i "
        f"grupptabellen eller enhetstabellen: skriv gruppens namn eller id som i Kolada.{hint_sv}",
        f"{_field('group', lines, 'en')} names the group '{wanted}', which is in neither the "
        f"group table nor the units table: write the group's title or id as in Kolada.{hint_en}",
    )


def _liknande(cfg: dict[str, Any], treated: str, outcome: str, groups: GroupTable | None,
              names: dict[str, str], lines: Mapping[str, int]) -> tuple[list[str], str | None,
                                                                      str | None,
                                                                      tuple[str, str]]:
    name = names.get(treated, treated)
    if groups is None:
        raise DesignError(
            "pool: liknande behöver Koladas grupptabell (Liknande kommuner …), men ingen finns: "
            "välj pool: kommungrupp eller all, eller ange en grupptabell.",
            "pool: liknande needs Kolada's group table (Liknande kommuner …), but there is none: "
            "choose pool: kommungrupp or all, or give a group table.",
        )
    wanted = cfg["group"]
    if wanted is not None:
        exact = groups.find(wanted)
        if exact is not None and _parse_similar(groups.titles()[exact]) is not None:
            title = groups.titles()[exact]
            return groups.members(exact), exact, title, (
                f"gruppen {title}", f"the group {title}")
    family = _family_key(wanted or DEFAULT_FAMILIES.get(outcome, FALLBACK_FAMILY))
    own = groups.similar_groups(treated, name)
    chosen = own[own["family"] == family]
    if chosen.empty:
        prefixed = own[own["family"].str.startswith(family)]
        if prefixed["family"].nunique() == 1:
            chosen = prefixed
    if chosen.empty:
        families = sorted(own["family"].unique())
        listed = ", ".join(f.replace(_SIMILAR_PREFIX, "").strip() or FALLBACK_FAMILY
                           for f in families)
        raise DesignError(
            f"{_field('group', lines)}: grupptabellen har ingen grupp '{family}' för {name} "
            f"({treated}): välj en av familjerna {listed or '(inga)'}, eller pool: kommungrupp.",
            f"{_field('group', lines, 'en')}: the group table has no group '{family}' for "
            f"{name} ({treated}): choose one of the families {listed or '(none)'}, or "
            "pool: kommungrupp.",
        )
    row = chosen.sort_values(["year", "group_id"]).iloc[-1]
    title = str(row["group_title"])
    return groups.members(str(row["group_id"])), str(row["group_id"]), title, (
        f"gruppen {title}", f"the group {title}")


# --------------------------------------------------------------------------- filters
def _filter(base: list[str], *, cfg: dict[str, Any], treated: str, county, panel: pd.DataFrame,
            outcome: str, start: str, end: str,
            names: dict[str, str]) -> tuple[list[str], list[dict[str, str]]]:
    """Apply the exclusions in order; every removed (or named but absent) kommun gets a reason."""
    complete = _complete_units(panel, outcome, base, start, end)
    home = county(treated) if is_kommun(treated) else treated
    tests = (
        (SAME_COUNTY, lambda u: cfg["exclude_same_county"] and county(u) == home),
        (NEIGHBOUR, lambda u: u in cfg["exclude"]),
        (SIMILAR_REFORM, lambda u: u in cfg["similar_reforms"]),
        (MISSING, lambda u: u not in complete),
    )
    members: list[str] = []
    dropped: list[dict[str, str]] = []
    for u in base:
        reason = next((r for r, test in tests if test(u)), None)
        if reason is None:
            members.append(u)
        else:
            dropped.append(_entry(u, reason, names))
    in_base = set(base)
    named = dict.fromkeys([*cfg["exclude"], *cfg["similar_reforms"]])
    dropped += [_entry(u, NOT_IN_GROUP, names) for u in named
                if u not in in_base and not _inside(u, treated)]
    return members, dropped


def _entry(unit: str, reason: str, names: dict[str, str]) -> dict[str, str]:
    sv, en = REASONS[reason]
    return {"unit": unit, "unit_name": names.get(unit, unit), "reason": reason,
            "reason_sv": sv, "reason_en": en}


def _complete_units(panel: pd.DataFrame, outcome: str, units: list[str], start: str,
                    end: str) -> set[str]:
    """Units whose ``outcome`` has a usable (non-missing, non-suppressed) value every period."""
    window = period_range(start, end)
    sub = rows_where(panel, (panel["measure"] == outcome) & panel["unit"].isin(units)
                     & panel["period"].isin(window),
                     [c for c in ("unit", "period", "value", "status") if c in panel.columns])
    ok = sub["value"].notna()
    if "status" in sub.columns:
        ok &= sub["status"].astype(str) != "suppressed"
    good = sub.loc[ok].groupby("unit")["period"].nunique()
    return set(good.index[good == len(window)])


def _describe(cfg: dict[str, Any], what: tuple[str, str]) -> tuple[str, str]:
    sv, en = what
    extra_sv, extra_en = [], []
    if cfg["exclude_same_county"]:
        extra_sv.append("utan kommuner i samma län")
        extra_en.append("without municipalities in the same county")
    if cfg["exclude"]:
        extra_sv.append(f"utan angivna grannar ({len(cfg['exclude'])})")
        extra_en.append(f"without listed neighbours ({len(cfg['exclude'])})")
    if cfg["similar_reforms"]:
        extra_sv.append(f"utan kommuner med liknande reform ({len(cfg['similar_reforms'])})")
        extra_en.append(f"without municipalities with a similar reform "
                        f"({len(cfg['similar_reforms'])})")
    return ", ".join([sv, *extra_sv]), ", ".join([en, *extra_en])


def _too_small(pool: DonorPool, n_base: int, lines: Mapping[str, int]) -> DesignError:
    """Which exclusions emptied the pool and what to change."""
    _one, many_sv, _one_en, many_en = _unit_words(pool.treated)
    counts = pool.dropped_counts()
    counts.pop(NOT_IN_GROUP, None)
    removed_sv = ", ".join(f"{REASONS[r][0]}: {k}" for r, k in counts.items())
    removed_en = ", ".join(f"{REASONS[r][1]}: {k}" for r, k in counts.items())
    fixes = [_FIXES[r] for r in counts if r in _FIXES]
    if pool.pool != "all":
        fixes.append(("välj en större pool (t.ex. pool: all)",
                      "choose a larger pool (e.g. pool: all)"))
    if not counts and pool.pool == "list":
        fixes.insert(0, ("ange fler kommuner under units", "list more municipalities under units"))
    fix_sv = " eller ".join(f for f, _ in fixes) or "använd data med fler kommuner"
    fix_en = " or ".join(f for _, f in fixes) or "use data with more municipalities"
    got_sv = f"{pool.n} {_one if pool.n == 1 else many_sv}"
    got_en = f"{pool.n} {_one_en if pool.n == 1 else many_en}"
    why_sv = (f" av {n_base} sedan dessa tagits bort – {removed_sv}" if counts
              else f" (gruppen har bara {n_base})")
    why_en = (f" of {n_base} after removing – {removed_en}" if counts
              else f" (the group has only {n_base})")
    line = lines.get("donors")
    at_sv = f" (rad {line})" if line else ""
    at_en = f" (line {line})" if line else ""
    if n_base == 0 and pool.pool == "all":
        return DesignError(
            f"Data för {pool.outcome} har inga andra {many_sv} att jämföra med (designen behöver "
            f"minst {MIN_DONORS}): hämta data för alla {many_sv}, t.ex. en källa under sources "
            "utan units.",
            f"The data for {pool.outcome} have no other {many_en} to compare with (the design "
            f"needs at least {MIN_DONORS}): fetch data for every {_one_en}, e.g. a source under "
            "sources without units.",
        )
    return DesignError(
        f"Donatorpoolen{at_sv} ({pool.description_sv}) för {pool.outcome} {pool.start}–"
        f"{pool.end} har {got_sv}{why_sv}; minst {MIN_DONORS} behövs: {fix_sv}.",
        f"The donor pool{at_en} ({pool.description_en}) for {pool.outcome} {pool.start}–"
        f"{pool.end} has {got_en}{why_en}; at least {MIN_DONORS} are needed: {fix_en}.",
    )
