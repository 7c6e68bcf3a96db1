FIXTURES = []  # placeholder
