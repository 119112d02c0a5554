"""Admin of auctions, bids and declared sublets. Filled by the auctions work."""
