/** Word lists: Danish names, Aarhus streets and postcodes, and the STAM classes. */

export const FEMALE_NAMES = [
  'Anne', 'Mette', 'Kirsten', 'Hanne', 'Helle', 'Susanne', 'Lene', 'Maria', 'Marianne', 'Camilla',
  'Louise', 'Charlotte', 'Pia', 'Tina', 'Bente', 'Åse', 'Sørine', 'Signe', 'Ida', 'Freja',
  'Mathilde', 'Sofie', 'Emma', 'Cecilie', 'Line', 'Dorthe', 'Birgitte', 'Malene', 'Gitte', 'Rikke',
  'Søs', 'Bodil', 'Karen', 'Inger', 'Astrid', 'Ellen', 'Nanna', 'Laura', 'Julie', 'Trine',
] as const;

export const MALE_NAMES = [
  'Søren', 'Jens', 'Peter', 'Lars', 'Michael', 'Henrik', 'Thomas', 'Jørgen', 'Niels', 'Rasmus',
  'Morten', 'Anders', 'Kasper', 'Mads', 'Jesper', 'Bjørn', 'Torben', 'Ole', 'Kåre', 'Bent',
  'Christian', 'Martin', 'Frederik', 'Mikkel', 'Jakob', 'Emil', 'Magnus', 'Asger', 'Øjvind', 'Jørn',
  'Poul', 'Erik', 'Steen', 'Claus', 'Troels', 'Rune', 'Oliver', 'Lukas', 'Malthe', 'Villads',
] as const;

export const MIDDLE_NAMES = ['Marie', 'Louise', 'Kristine', 'Sofie', 'Holm', 'Bach', 'Kjær', 'Skov', 'Dal', 'Juul', 'Lund', 'Møller'] as const;

export const SURNAMES = [
  'Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen', 'Jørgensen',
  'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Christiansen', 'Poulsen', 'Johansen', 'Møller', 'Mortensen',
  'Østergaard', 'Søgaard', 'Ærø-Hansen', 'Højgaard', 'Bøgh', 'Lindgård', 'Kjærsgaard', 'Dahl', 'Frølund', 'Skovgård',
  'Brøndum', 'Nørgaard', 'Vestergård', 'Mølgaard', 'Lauridsen', 'Kjeldsen', 'Bækgaard', 'Åberg', 'Holst', 'Friis',
] as const;

/** Postcodes of Aarhus Kommune with their names. */
export const POSTCODES: Record<string, string> = {
  '8000': 'Aarhus C',
  '8200': 'Aarhus N',
  '8210': 'Aarhus V',
  '8220': 'Brabrand',
  '8230': 'Åbyhøj',
  '8240': 'Risskov',
  '8250': 'Egå',
  '8260': 'Viby J',
  '8270': 'Højbjerg',
  '8310': 'Tranbjerg J',
  '8320': 'Mårslet',
  '8330': 'Beder',
  '8340': 'Malling',
  '8355': 'Solbjerg',
  '8361': 'Hasselager',
  '8380': 'Trige',
  '8381': 'Tilst',
  '8462': 'Harlev J',
  '8471': 'Sabro',
  '8520': 'Lystrup',
  '8530': 'Hjortshøj',
  '8541': 'Skødstrup',
};

/** Real-looking streets per postcode (the example register's streets). */
export const STREETS: Record<string, readonly string[]> = {
  '8000': ['Rådhuspladsen', 'Frederiksgade', 'Søndergade', 'Vestergade', 'Park Allé', 'Mejlgade', 'Jægergårdsgade', 'Frederiks Allé', 'Hack Kampmanns Plads', 'Værkmestergade', 'Nørregade', 'Sankt Pauls Gade', 'Ny Munkegade'],
  '8200': ['Randersvej', 'Trøjborgvej', 'Nordre Ringgade', 'Finsensgade', 'Tretommervej'],
  '8210': ['Silkeborgvej', 'Ryhavevej', 'Hasle Torv', 'Herredsvej', 'Randersvej'],
  '8220': ['Gudrunsvej', 'Søndervangs Allé', 'Karen Blixens Boulevard', 'Hovedgaden', 'Edwin Rahrs Vej'],
  '8230': ['Silkeborgvej', 'Bakkegårdsvej', 'Søren Frichs Vej', 'Åby Bygade'],
  '8240': ['Grenåvej', 'Fortevej', 'Vejlby Centervej', 'Ellevangsvej'],
  '8260': ['Viby Torv', 'Skanderborgvej', 'Kongsvang Allé', 'Rosenhøj', 'Søndervangen'],
  '8270': ['Oddervej', 'Rundhøjvej', 'Holme Byvej', 'Grønnedalen'],
  '8310': ['Grønløkkevej', 'Tranbjergvej', 'Kirketorvet'],
};

/** Parts of synthetic street names for the bench register. */
export const STREET_STEMS = [
  'Birke', 'Ege', 'Bøge', 'Ahorn', 'Ask', 'Elme', 'Hassel', 'Hyld', 'Kastanje', 'Lind', 'Pile', 'Poppel', 'Røn', 'Tjørne',
  'Lærke', 'Svale', 'Drossel', 'Spurve', 'Mejse', 'Stær', 'Vibe', 'Ugle', 'Falke', 'Høge', 'Ravne', 'Due',
  'Anemone', 'Kløver', 'Valmue', 'Rose', 'Lilje', 'Tulipan', 'Viol', 'Lyng', 'Mose', 'Skov', 'Mark', 'Eng', 'Bakke', 'Dal',
  'Sø', 'Å', 'Strand', 'Klit', 'Høj', 'Toft', 'Vænge', 'Kirke', 'Skole', 'Mølle', 'Smede', 'Præste', 'Fælled', 'Solbakke',
  'Grøn', 'Nørre', 'Søndre', 'Vestre', 'Østre', 'Lange', 'Brede', 'Gl. Kongevejs', 'Enge', 'Agre',
] as const;
export const STREET_SUFFIXES = ['vej', 'gade', 'allé', 'stien', 'vænget', 'parken', 'toften', 'haven', 'bakken', 'højen', 'gården', 'lunden'] as const;

export const PLACES = ['Viby', 'Tilst', 'Brabrand', 'Åbyhøj', 'Risskov', 'Egå', 'Højbjerg', 'Tranbjerg', 'Mårslet', 'Beder', 'Malling', 'Solbjerg', 'Hasselager', 'Trige', 'Harlev', 'Sabro', 'Lystrup', 'Hjortshøj', 'Skødstrup', 'Gellerup', 'Hasle', 'Skejby', 'Lisbjerg', 'Frederiksbjerg', 'Trøjborg', 'Vejlby', 'Holme', 'Kolt', 'Ormslev', 'Elev'] as const;

/** The STAM files: name, header, facet and the class texts. */
export interface StamSpec {
  file: string;
  header: readonly string[];
  /** short key used in class uuids */
  key: string;
  titles: readonly string[];
  loadtime: boolean;
}

export const STAM: Record<string, StamSpec> = {
  enhedstype: {
    file: 'STAM_UUID_Enhedstype.csv', header: ['EnhedstypeUUID', 'Enhedstype'], key: 'Enhedstype', loadtime: false,
    titles: ['Kommune', 'Magistratsafdeling', 'Forvaltning', 'Afdeling', 'Område', 'Center', 'Institution', 'Skole', 'Dagtilbud', 'Sekretariat', 'Team', 'Udvalg'],
  },
  engagementstype: {
    file: 'STAM_UUID_Engagementstype.csv', header: ['EngagementstypeUUID', 'Engagementstype'], key: 'Engagementstype', loadtime: false,
    titles: ['Månedslønnet', 'Timelønnet', 'Elev', 'Fleksjob', 'Løntilskud', 'Vikar'],
  },
  stilling: {
    file: 'STAM_UUID_Stillingsbetegnelse.csv', header: ['StillingBetUUID', 'Stillingsbetegnelse'], key: 'Stillingsbetegnelse', loadtime: false,
    titles: [
      'Direktør', 'Chef', 'Afdelingsleder', 'Skoleleder', 'Dagtilbudsleder', 'Institutionsleder', 'Teamleder',
      'Pædagog', 'Pædagogmedhjælper', 'Lærer', 'Sygeplejerske', 'Sundhedsplejerske', 'Social- og sundhedshjælper',
      'Social- og sundhedsassistent', 'Socialrådgiver', 'Jobkonsulent', 'Kontorfuldmægtig', 'Specialkonsulent',
      'Chefkonsulent', 'Fuldmægtig', 'IT-konsulent', 'Tandlæge', 'Tandklinikassistent', 'Bibliotekar',
      'Ingeniør', 'Gartner', 'Ergoterapeut', 'Fysioterapeut', 'Elev', 'Studentermedhjælper',
    ],
  },
  bvn: {
    file: 'STAM_UUID_BVN_Stillingsbetegnelse.csv', header: ['BVNStillingBetUUID', 'BVNStillingsbetegnelse'], key: 'BVN_Stillingsbetegnelse', loadtime: false,
    titles: ['Pædagoger', 'Pædagogmedhjælpere', 'Lærere m.fl. i folkeskolen', 'Sygeplejersker', 'Social- og sundhedspersonale', 'Socialrådgivere', 'Kontor- og IT-personale', 'Akademikere', 'Chefer', 'Tandplejepersonale', 'Biblioteksansatte', 'Teknisk personale', 'Terapeuter', 'Elever'],
  },
  lederansvar: {
    file: 'STAM_UUID_Lederansvar.csv', header: ['LederansvarUUID', 'Lederansvar', 'Loadtime'], key: 'Lederansvar', loadtime: true,
    titles: ['Personaleansvar', 'Budgetansvar', 'Strategisk ansvar', 'Faglig ledelse', 'Arbejdsmiljøansvar'],
  },
  lederniveau: {
    file: 'STAM_UUID_Lederniveau.csv', header: ['LederniveauUUID', 'Lederniveau', 'Loadtime'], key: 'Lederniveau', loadtime: true,
    titles: ['Niveau 1', 'Niveau 2', 'Niveau 3', 'Niveau 4', 'Niveau 5'],
  },
  ledertype: {
    file: 'STAM_UUID_Ledertype.csv', header: ['LedertypeUUID', 'Ledertype', 'Loadtime'], key: 'Ledertype', loadtime: true,
    titles: ['Direktør', 'Chef', 'Leder', 'Souschef', 'Konstitueret leder'],
  },
  tilknytningsrolle: {
    file: 'STAM_UUID_Tilknytningsrolle.csv', header: ['TilknytningsrolleUUID', 'Tilknytningsrolle', 'Loadtime'], key: 'Tilknytningsrolle', loadtime: true,
    titles: ['Medlem', 'Formand', 'Næstformand', 'Sekretær', 'Tillidsrepræsentant', 'Arbejdsmiljørepræsentant'],
  },
  itsystem: {
    file: 'STAM_UUID_ITSystem.csv', header: ['ITSystemUUID', 'Name', 'Userkey'], key: 'ITSystem', loadtime: false,
    titles: ['Active Directory', 'OPUS Løn', 'KMD Nexus', 'Aula', 'Microsoft 365', 'SBSYS'],
  },
};

/** IT system user keys (Userkey column). */
export const IT_USERKEYS: Record<string, string> = {
  'Active Directory': 'AD', 'OPUS Løn': 'OPUS', 'KMD Nexus': 'Nexus', Aula: 'Aula', 'Microsoft 365': 'O365', SBSYS: 'SBSYS',
};

/** Loadtime values of the STAM files (a fixed nightly load). */
export const STAM_LOADTIME = '2023-12-31 02:15:07.000000';

export const ORG_HEADER = [
  'OrgUUID', 'BrugervendtNøgle', 'OrgEnhedsNavn', 'OrgEnhedsTypeUUID', 'ParentUUID', 'Med-i-LinjeOrg', 'LOSID', 'CVR', 'EAN',
  'P-Nr', 'SE-Nr', 'IntDebitor-Nr', 'MagID', 'PostAdresse', 'StartDato', 'SlutDato',
] as const;

export const PERS_HEADER = [
  'UUID', 'BrugervendtNøgle', 'CPR', 'CPRNavn', 'StartTid', 'SlutTid', 'Email', 'PrimærAnsættelse', 'OrgenhedUUID',
  'EngagementTypeUUID', 'StillingsBetegnelseUUID', 'AZID', 'ADITSystemUUID', 'ADkonto', 'ADkontoUUID',
] as const;

export const PERS_LUK_HEADER = ['UUID', 'CPR', 'CPRNavn'] as const;
export const LEDER_HEADER = ['OrgUUID', 'CPR', 'LedertypeUUID', 'LederniveauUUID', 'LederansvarUUID'] as const;
export const LEDER_LUK_HEADER = ['OrgUUID', 'CPR'] as const;

/** Aarhus Kommune's CVR number. */
export const AARHUS_CVR = '55133018';
