"""The content library: vacancies and their employers, policy notices (with their review), media,
ticker texts, bulk vacancy imports, safe notice HTML, and what a kiosk offers to browse."""
