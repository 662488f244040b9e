"""One module per page: what the page shows, built from the data and the page's choices."""
