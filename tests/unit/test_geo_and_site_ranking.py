"""Distances between ZIP codes and the order in which imaging sites are listed."""

from __future__ import annotations

import pytest

from portal_app.domain.geo import (
    EARTH_RADIUS_MILES,
    haversine_miles,
    miles_between,
    zip_centroid,
    zips_within,
)
from portal_app.domain.site_ranking import distance_label, ranking_key


def test_haversine_matches_the_published_nashville_to_los_angeles_example():
    # Rosetta Code "Haversine formula": BNA (36.12, -86.67) to LAX (33.94, -118.40) is 2887.2600 km
    # with an Earth radius of 6372.8 km.
    miles = haversine_miles((36.12, -86.67), (33.94, -118.40))
    assert miles * 6372.8 / EARTH_RADIUS_MILES == pytest.approx(2887.2600, abs=0.001)


def test_zip_distances_come_from_the_zip_centroids():
    assert zip_centroid("62701") == pytest.approx((39.8, -89.6495), abs=0.01)
    assert miles_between("62701", "62701") == 0
    assert miles_between("62701", "62702") < 5  # two Springfield, Illinois ZIPs
    assert 1600 < miles_between("62701", "97024") < 1800  # Springfield, IL to Fairview, OR
    assert miles_between("62701-1234", "62701") == 0  # ZIP+4 is read by its first five digits


@pytest.mark.parametrize("postal_code", ["", "abcde", "1234", "00000", "K1A 0B1"])
def test_unknown_or_foreign_postal_codes_have_no_distance(postal_code):
    assert miles_between(postal_code, "62701") is None


def test_scored_sites_come_first_by_score_then_by_distance():
    sites = [
        ("unscored near", None, 1.0),
        ("scored 80 far", 80, 40.0),
        ("scored 90 far", 90, 50.0),
        ("scored 80 near", 80, 3.0),
        ("unscored, distance unknown", None, None),
        ("unscored far", None, 20.0),
        ("scored 80, distance unknown", 80, None),
    ]
    ordered = [name for name, score, miles in sorted(sites, key=lambda s: ranking_key(s[1], s[2], s[0]))]
    assert ordered == [
        "scored 90 far",
        "scored 80 near",
        "scored 80 far",
        "scored 80, distance unknown",
        "unscored near",
        "unscored far",
        "unscored, distance unknown",
    ]


def test_zips_within_a_distance():
    near = zips_within("97024", 5.0)
    assert "97024" in near and "97030" in near  # Gresham, 2.4 miles
    assert "97201" not in near  # Portland, 12 miles
    assert all(miles_between("97024", code) <= 5.0 for code in near)
    assert set(zips_within("97024", 15.0)) > set(near)
    assert zips_within("00000", 60.0) == ()


def test_labels():
    assert distance_label(None) == "Distance unknown"
    assert distance_label(0.2) == "Under 1 mile"
    assert distance_label(3.24) == "3.2 miles"
    assert distance_label(42.6) == "43 miles"
