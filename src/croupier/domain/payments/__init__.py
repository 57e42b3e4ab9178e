"""The payments layer's pure rules (issue 16): card numbers and what may be shown of them."""
