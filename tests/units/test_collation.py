"""Vietnamese alphabetical order on real unit names (a ă â b c d đ e …, tones after letters): in the
database (ICU collation) and in Python (`name_key`), the same order; code-point order gets each one wrong."""

import pytest

from units.collation import by_name, name_key
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

# Each pair in Vietnamese order, and the reverse of the code-point order.
PAIRS = [
    ("Tỉnh Bạc Liêu", "Tỉnh Bình Định"),  # a before i, whatever the tone
    ("Huyện Ân Thi", "Huyện Yên Mỹ"),  # â is an a, not a letter after y
    ("Tỉnh Đồng Tháp", "Tỉnh Gia Lai"),  # đ between d and e, not after y
]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_real_names_sort_in_vietnamese_order_in_python_and_in_the_database(unit_tree, first, second):
    assert sorted([second, first]) == [second, first]  # code-point order is wrong for each pair
    assert sorted([second, first], key=name_key) == [first, second]
    units = AdministrativeUnit.objects.filter(tree="legacy", name__in=[first, second])
    assert list(units.order_by(by_name()).values_list("name", flat=True).distinct()) == [first, second]
    assert list(units.order_by(by_name(descending=True)).values_list("name", flat=True).distinct()) == [
        second,
        first,
    ]


def test_d_then_dj_then_e_on_communes_of_the_dataset(unit_tree):
    communes = AdministrativeUnit.objects.filter(tree="legacy", level="commune")
    d = communes.filter(name__startswith="Xã D").exclude(name__startswith="Xã Đ").order_by("code").first()
    dj = communes.filter(name__startswith="Xã Đ").order_by("code").first()
    e = communes.filter(name__startswith="Xã E").order_by("code").first()
    assert d and dj and e
    expected = [d.name, dj.name, e.name]
    assert sorted(expected) == [d.name, e.name, dj.name]  # by code point "Đ" comes after "Y"
    assert sorted(expected, key=name_key) == expected
    in_db = communes.filter(pk__in=[d.pk, dj.pk, e.pk]).order_by(by_name())
    assert [u.name for u in in_db] == expected
