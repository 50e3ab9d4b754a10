-- boundaries: the ward / commune boundaries the city supplied (GeoJSON geometry text per unit), for the map.
SELECT unit_code, geometry FROM boundaries ORDER BY unit_code;
