"""Places: integrated care systems, boroughs, neighbourhoods, LSOAs, deprivation and postcodes."""
