"""Directory pages: OCOP producers (chủ thể), communes and the places that sell their products."""
