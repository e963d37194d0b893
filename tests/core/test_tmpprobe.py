def test_p(pytester):
    assert pytester.path.exists()
