//! English short names of countries, for matching "spain" or "japan" and for display.

pub const COUNTRIES: &[(&str, &str)] = &[
    ("AE", "United Arab Emirates"), ("AF", "Afghanistan"), ("AL", "Albania"), ("AM", "Armenia"),
    ("AO", "Angola"), ("AR", "Argentina"), ("AT", "Austria"), ("AU", "Australia"), ("AW", "Aruba"),
    ("AZ", "Azerbaijan"), ("BA", "Bosnia and Herzegovina"), ("BB", "Barbados"), ("BD", "Bangladesh"),
    ("BE", "Belgium"), ("BG", "Bulgaria"), ("BH", "Bahrain"), ("BJ", "Benin"), ("BN", "Brunei"),
    ("BO", "Bolivia"), ("BR", "Brazil"), ("BS", "Bahamas"), ("BT", "Bhutan"), ("BW", "Botswana"),
    ("BY", "Belarus"), ("BZ", "Belize"), ("CA", "Canada"), ("CD", "DR Congo"), ("CG", "Congo"),
    ("CH", "Switzerland"), ("CI", "Ivory Coast"), ("CL", "Chile"), ("CM", "Cameroon"), ("CN", "China"),
    ("CO", "Colombia"), ("CR", "Costa Rica"), ("CU", "Cuba"), ("CV", "Cape Verde"), ("CW", "Curacao"),
    ("CY", "Cyprus"), ("CZ", "Czechia"), ("DE", "Germany"), ("DJ", "Djibouti"), ("DK", "Denmark"),
    ("DO", "Dominican Republic"), ("DZ", "Algeria"), ("EC", "Ecuador"), ("EE", "Estonia"), ("EG", "Egypt"),
    ("ER", "Eritrea"), ("ES", "Spain"), ("ET", "Ethiopia"), ("FI", "Finland"), ("FJ", "Fiji"),
    ("FR", "France"), ("GA", "Gabon"), ("GB", "United Kingdom"), ("GE", "Georgia"), ("GH", "Ghana"),
    ("GI", "Gibraltar"), ("GL", "Greenland"), ("GM", "Gambia"), ("GN", "Guinea"), ("GP", "Guadeloupe"),
    ("GR", "Greece"), ("GT", "Guatemala"), ("GU", "Guam"), ("GY", "Guyana"), ("HK", "Hong Kong"),
    ("HN", "Honduras"), ("HR", "Croatia"), ("HT", "Haiti"), ("HU", "Hungary"), ("ID", "Indonesia"),
    ("IE", "Ireland"), ("IL", "Israel"), ("IN", "India"), ("IQ", "Iraq"), ("IR", "Iran"), ("IS", "Iceland"),
    ("IT", "Italy"), ("JM", "Jamaica"), ("JO", "Jordan"), ("JP", "Japan"), ("KE", "Kenya"),
    ("KG", "Kyrgyzstan"), ("KH", "Cambodia"), ("KR", "South Korea"), ("KW", "Kuwait"), ("KY", "Cayman Islands"),
    ("KZ", "Kazakhstan"), ("LA", "Laos"), ("LB", "Lebanon"), ("LC", "Saint Lucia"), ("LK", "Sri Lanka"),
    ("LT", "Lithuania"), ("LU", "Luxembourg"), ("LV", "Latvia"), ("LY", "Libya"), ("MA", "Morocco"),
    ("MC", "Monaco"), ("MD", "Moldova"), ("ME", "Montenegro"), ("MG", "Madagascar"), ("MK", "North Macedonia"),
    ("ML", "Mali"), ("MM", "Myanmar"), ("MN", "Mongolia"), ("MO", "Macau"), ("MQ", "Martinique"),
    ("MT", "Malta"), ("MU", "Mauritius"), ("MV", "Maldives"), ("MW", "Malawi"), ("MX", "Mexico"),
    ("MY", "Malaysia"), ("MZ", "Mozambique"), ("NA", "Namibia"), ("NC", "New Caledonia"), ("NE", "Niger"),
    ("NG", "Nigeria"), ("NI", "Nicaragua"), ("NL", "Netherlands"), ("NO", "Norway"), ("NP", "Nepal"),
    ("NZ", "New Zealand"), ("OM", "Oman"), ("PA", "Panama"), ("PE", "Peru"), ("PF", "French Polynesia"),
    ("PG", "Papua New Guinea"), ("PH", "Philippines"), ("PK", "Pakistan"), ("PL", "Poland"),
    ("PR", "Puerto Rico"), ("PT", "Portugal"), ("PY", "Paraguay"), ("QA", "Qatar"), ("RE", "Reunion"),
    ("RO", "Romania"), ("RS", "Serbia"), ("RU", "Russia"), ("RW", "Rwanda"), ("SA", "Saudi Arabia"),
    ("SC", "Seychelles"), ("SD", "Sudan"), ("SE", "Sweden"), ("SG", "Singapore"), ("SI", "Slovenia"),
    ("SK", "Slovakia"), ("SN", "Senegal"), ("SO", "Somalia"), ("SR", "Suriname"), ("SV", "El Salvador"),
    ("SY", "Syria"), ("TC", "Turks and Caicos Islands"), ("TG", "Togo"), ("TH", "Thailand"),
    ("TJ", "Tajikistan"), ("TL", "Timor-Leste"), ("TM", "Turkmenistan"), ("TN", "Tunisia"), ("TO", "Tonga"),
    ("TR", "Turkey"), ("TT", "Trinidad and Tobago"), ("TW", "Taiwan"), ("TZ", "Tanzania"), ("UA", "Ukraine"),
    ("UG", "Uganda"), ("US", "United States"), ("UY", "Uruguay"), ("UZ", "Uzbekistan"), ("VE", "Venezuela"),
    ("VN", "Vietnam"), ("VU", "Vanuatu"), ("WS", "Samoa"), ("YE", "Yemen"), ("ZA", "South Africa"),
    ("ZM", "Zambia"), ("ZW", "Zimbabwe"),
];

pub fn name(code: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, n)| *n)
}

/// ISO code for a code or an English name ("jp", "Japan", "united kingdom", "UK").
pub fn code(text: &str) -> Option<&'static str> {
    let t = super::text::normalize(text);
    if t == "uk" || t == "great britain" || t == "england" || t == "scotland" {
        return Some("GB");
    }
    if t == "usa" || t == "united states of america" || t == "america" {
        return Some("US");
    }
    COUNTRIES
        .iter()
        .find(|(c, n)| c.eq_ignore_ascii_case(&t) || super::text::normalize(n) == t)
        .map(|(c, _)| *c)
}
