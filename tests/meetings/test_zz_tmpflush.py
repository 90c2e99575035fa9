import pytest
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", range(3))
def test_x(n, fair):
    pass
