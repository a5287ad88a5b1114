//! The exchange API described once: what the WSDL declares (`soap::exchange`
//! writes it from these tables) and what its documentation page says
//! (`web::citizen::exchange` shows them). Business software pulls the new
//! requests, fetches each request file, acknowledges them, and moves them
//! through their steps as an account with rights per department.

/// The exchange service's namespace, beside the citizen-facing one
/// (`urn:guichet:SLUG`).
pub fn namespace(tenant_namespace: &str) -> String {
    format!("{tenant_namespace}:exchange")
}

/// Where the endpoint answers, under the tenant (`/T/exchange`).
pub const PATH: &str = "/exchange";

/// The WS-Security namespaces a UsernameToken is read in (OASIS WSS 1.0/1.1).
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
pub const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// Most requests one `ListNewRequests` page holds, and its default.
pub const MAX_LIMIT: u32 = 500;
pub const DEFAULT_LIMIT: u32 = 100;
/// Most references one `AcknowledgeRequests` call takes.
pub const MAX_ACKNOWLEDGED: usize = 500;
/// Longest comment, note or message.
pub const TEXT_MAX: usize = 4000;

/// A parameter of an operation, or a field of a type.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    /// The XSD type (`xs:…`, or `tns:…` declared in [`TYPES`] or
    /// [`SIMPLE_TYPES`]).
    pub xsd: &'static str,
    pub required: bool,
    /// May repeat.
    pub many: bool,
    pub doc: &'static str,
}

const fn one(name: &'static str, xsd: &'static str, doc: &'static str) -> Param {
    Param {
        name,
        xsd,
        required: true,
        many: false,
        doc,
    }
}

const fn opt(name: &'static str, xsd: &'static str, doc: &'static str) -> Param {
    Param {
        name,
        xsd,
        required: false,
        many: false,
        doc,
    }
}

const fn many(name: &'static str, xsd: &'static str, required: bool, doc: &'static str) -> Param {
    Param {
        name,
        xsd,
        required,
        many: true,
        doc,
    }
}

/// A simple type: its base and facets, written as XSD by the WSDL.
#[derive(Debug, Clone, Copy)]
pub struct SimpleType {
    pub name: &'static str,
    pub base: &'static str,
    pub pattern: Option<&'static str>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub doc: &'static str,
}

pub const SIMPLE_TYPES: &[SimpleType] = &[
    SimpleType {
        name: "Reference",
        base: "xs:string",
        pattern: Some("[0-9]{4}-[0-9]{1,9}"),
        min_length: None,
        max_length: None,
        min: None,
        max: None,
        doc: "Référence d'une demande : l'année puis son numéro (2026-000123).",
    },
    SimpleType {
        name: "Code",
        base: "xs:string",
        pattern: Some("[a-z0-9][a-z0-9-]{0,63}"),
        min_length: None,
        max_length: None,
        min: None,
        max: None,
        doc: "Code d'un téléservice, d'un service municipal ou d'une action (minuscules, chiffres, tirets).",
    },
    SimpleType {
        name: "Text",
        base: "xs:string",
        pattern: None,
        min_length: Some(1),
        max_length: Some(TEXT_MAX),
        min: None,
        max: None,
        doc: "Texte libre de 1 à 4000 caractères.",
    },
    SimpleType {
        name: "Limit",
        base: "xs:int",
        pattern: None,
        min_length: None,
        max_length: None,
        min: Some(1),
        max: Some(MAX_LIMIT as i64),
        doc: "Nombre de demandes par page : de 1 à 500 (100 par défaut).",
    },
];

/// A complex type of the responses.
#[derive(Debug, Clone, Copy)]
pub struct ComplexType {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Param],
}

pub const TYPES: &[ComplexType] = &[
    ComplexType {
        name: "RequestSummary",
        doc: "Une demande nouvelle pour ce compte : de quoi décider de la récupérer.",
        fields: &[
            one("reference", "tns:Reference", "Référence de la demande."),
            one("service", "tns:Code", "Code du téléservice."),
            one(
                "serviceVersion",
                "xs:int",
                "Version de la définition sous laquelle elle a été déposée (son schéma : /T/xsd/CODE.xsd).",
            ),
            one("department", "tns:Code", "Service municipal qui la traite."),
            one("step", "tns:Code", "Étape où elle se trouve."),
            one("submittedAt", "xs:dateTime", "Date et heure du dépôt."),
            one("dueDate", "xs:date", "Date de réponse promise."),
            one(
                "revision",
                "xs:long",
                "Révision : grandit à chaque changement de la demande.",
            ),
        ],
    },
    ComplexType {
        name: "Action",
        doc: "Une action de l'étape que ce compte peut prendre (UpdateRequestStatus).",
        fields: &[
            one(
                "id",
                "tns:Code",
                "Code de l'action, à passer en « action ».",
            ),
            one("label", "xs:string", "Libellé du bouton des agents."),
            one(
                "commentRequired",
                "xs:boolean",
                "Un commentaire est obligatoire.",
            ),
        ],
    },
    ComplexType {
        name: "RequestFile",
        doc: "Une demande avec son fichier XML, valide contre le schéma de son téléservice.",
        fields: &[
            one("reference", "tns:Reference", "Référence de la demande."),
            one("service", "tns:Code", "Code du téléservice."),
            one("serviceVersion", "xs:int", "Version de la définition."),
            one("department", "tns:Code", "Service municipal qui la traite."),
            one("step", "tns:Code", "Étape où elle se trouve."),
            one("stepLabel", "xs:string", "Libellé de l'étape."),
            one("finished", "xs:boolean", "La demande est terminée."),
            one(
                "waitingForRequester",
                "xs:boolean",
                "La demande attend le demandeur (pièce, correction).",
            ),
            one(
                "revision",
                "xs:long",
                "Révision à renvoyer avec un changement (UpdateRequestStatus, AddNote, AddDocument).",
            ),
            one(
                "schema",
                "xs:anyURI",
                "Adresse du schéma XSD contre lequel le fichier est valide.",
            ),
            one(
                "file",
                "xs:base64Binary",
                "Le fichier XML de la demande (UTF-8), pièces jointes comprises en base64 dans leurs champs.",
            ),
            many(
                "action",
                "tns:Action",
                false,
                "Actions de l'étape que ce compte peut prendre.",
            ),
        ],
    },
    ComplexType {
        name: "Change",
        doc: "Ce que laisse un changement appliqué.",
        fields: &[
            one("reference", "tns:Reference", "Référence de la demande."),
            one("step", "tns:Code", "Étape où elle se trouve maintenant."),
            one("finished", "xs:boolean", "La demande est terminée."),
            one(
                "revision",
                "xs:long",
                "Nouvelle révision, pour le changement suivant.",
            ),
        ],
    },
    ComplexType {
        name: "HistoryEvent",
        doc: "Une ligne de l'historique de la demande.",
        fields: &[
            one("at", "xs:dateTime", "Date et heure."),
            one(
                "actor",
                "xs:string",
                "Qui : agent:IDENTIFIANT, api:IDENTIFIANT (un logiciel), citizen:CANAL, system.",
            ),
            opt("actorName", "xs:string", "Nom de l'agent ou du logiciel."),
            one(
                "action",
                "xs:string",
                "Quoi : submitted, une action d'étape, note, answer, transfer, hold…",
            ),
            opt("fromStep", "tns:Code", "Étape de départ."),
            opt("toStep", "tns:Code", "Étape d'arrivée."),
            opt("comment", "xs:string", "Commentaire, note ou message."),
            one(
                "citizenVisible",
                "xs:boolean",
                "Le demandeur voit cette ligne sur sa page de suivi.",
            ),
            opt(
                "department",
                "tns:Code",
                "Service visé (transfert, validation).",
            ),
        ],
    },
];

/// An operation: request wrapper `NAME`, response wrapper `NAMEResponse`.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    pub name: &'static str,
    pub doc: &'static str,
    pub input: &'static [Param],
    pub output: &'static [Param],
    /// The fault codes (besides the security ones every call may get).
    pub faults: &'static [&'static str],
}

pub const LIST_NEW_REQUESTS: &str = "ListNewRequests";
pub const GET_REQUEST_FILE: &str = "GetRequestFile";
pub const ACKNOWLEDGE_REQUESTS: &str = "AcknowledgeRequests";
pub const UPDATE_REQUEST_STATUS: &str = "UpdateRequestStatus";
pub const ADD_NOTE: &str = "AddNote";
pub const ADD_DOCUMENT: &str = "AddDocument";
pub const GET_REQUEST_HISTORY: &str = "GetRequestHistory";

const REVISION: Param = opt(
    "revision",
    "xs:long",
    "Révision sur laquelle le logiciel a décidé (celle de GetRequestFile) : si la demande a changé depuis, faute stale-revision et rien n'est appliqué. Sans elle, le changement s'applique à la demande telle qu'elle est.",
);
const REFERENCE: Param = one("reference", "tns:Reference", "Référence de la demande.");

pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: LIST_NEW_REQUESTS,
        doc: "Les demandes que ce compte n'a pas encore acquittées, des plus anciennes aux plus récentes, dans les services municipaux où il a des droits (ni les demandes de test, ni les demandes anonymisées). Une page s'arrête à « limit » demandes ; « more » dit s'il en reste : rappelez avec after = cursor.",
        input: &[
            opt("service", "tns:Code", "Seulement ce téléservice."),
            opt("department", "tns:Code", "Seulement ce service municipal."),
            opt(
                "after",
                "xs:string",
                "Curseur rendu par la page précédente.",
            ),
            opt("limit", "tns:Limit", "Demandes par page (100 par défaut)."),
        ],
        output: &[
            many(
                "request",
                "tns:RequestSummary",
                false,
                "Les demandes nouvelles.",
            ),
            opt(
                "cursor",
                "xs:string",
                "À passer en « after » pour la page suivante (absent si la page est vide).",
            ),
            one("more", "xs:boolean", "D'autres demandes suivent."),
        ],
        faults: &["invalid-value", "unknown-service", "unknown-department"],
    },
    Operation {
        name: GET_REQUEST_FILE,
        doc: "Le fichier XML d'une demande (valide contre /T/xsd/CODE.xsd, ses pièces jointes dedans), son étape, sa révision et les actions que ce compte peut y prendre. L'accès est inscrit au journal d'audit.",
        input: &[REFERENCE],
        output: &[one("request", "tns:RequestFile", "La demande.")],
        faults: &["invalid-value", "unknown-request", "not-allowed"],
    },
    Operation {
        name: ACKNOWLEDGE_REQUESTS,
        doc: "Le logiciel a pris ces demandes : elles ne sont plus listées comme nouvelles pour ce compte (les autres comptes les voient toujours). Acquitter deux fois n'est pas une erreur. Inscrit au journal d'audit.",
        input: &[many(
            "reference",
            "tns:Reference",
            true,
            "Références à acquitter (500 au plus).",
        )],
        output: &[one(
            "acknowledged",
            "xs:int",
            "Combien ne l'étaient pas encore.",
        )],
        faults: &[
            "invalid-value",
            "unknown-request",
            "not-allowed",
            "too-many",
        ],
    },
    Operation {
        name: UPDATE_REQUEST_STATUS,
        doc: "Prend une action de l'étape de la demande au nom de ce compte : mêmes règles, droits et historique qu'un agent (le demandeur est prévenu comme si un agent avait cliqué). Avec messageToCitizen, le message part au demandeur dans le même changement.",
        input: &[
            REFERENCE,
            one(
                "action",
                "tns:Code",
                "Code de l'action (voir « action » de GetRequestFile).",
            ),
            opt(
                "comment",
                "tns:Text",
                "Commentaire de l'action (obligatoire pour certaines).",
            ),
            opt(
                "messageToCitizen",
                "tns:Text",
                "Message envoyé au demandeur et inscrit sur sa page de suivi.",
            ),
            REVISION,
        ],
        output: &[one(
            "change",
            "tns:Change",
            "La demande après le changement.",
        )],
        faults: &[
            "invalid-value",
            "unknown-request",
            "not-allowed",
            "stale-revision",
            "refused",
        ],
    },
    Operation {
        name: ADD_NOTE,
        doc: "Une note interne, que voient les agents et jamais le demandeur.",
        input: &[REFERENCE, one("text", "tns:Text", "La note."), REVISION],
        output: &[one("change", "tns:Change", "La demande après la note.")],
        faults: &[
            "invalid-value",
            "unknown-request",
            "not-allowed",
            "stale-revision",
            "refused",
        ],
    },
    Operation {
        name: ADD_DOCUMENT,
        doc: "Un document du logiciel (arrêté, acte, courrier) gardé avec la demande ; envoyé au demandeur par courriel, et proposé sur sa page de suivi, si sendToRequester est vrai. Types acceptés : PDF, images JPEG, PNG, WebP.",
        input: &[
            REFERENCE,
            one("fileName", "xs:string", "Nom du fichier."),
            one("content", "xs:base64Binary", "Le fichier."),
            opt(
                "sendToRequester",
                "xs:boolean",
                "L'envoyer au demandeur (faux par défaut : gardé pour la mairie).",
            ),
            opt("comment", "tns:Text", "Commentaire de l'historique."),
            REVISION,
        ],
        output: &[one("change", "tns:Change", "La demande après l'ajout.")],
        faults: &[
            "invalid-value",
            "unknown-request",
            "not-allowed",
            "stale-revision",
            "refused",
            "file-refused",
        ],
    },
    Operation {
        name: GET_REQUEST_HISTORY,
        doc: "L'historique entier de la demande, du dépôt à maintenant, notes internes comprises.",
        input: &[REFERENCE],
        output: &[
            many(
                "event",
                "tns:HistoryEvent",
                false,
                "Les lignes, dans l'ordre.",
            ),
            one("revision", "xs:long", "Révision de la demande."),
        ],
        faults: &["invalid-value", "unknown-request", "not-allowed"],
    },
];

/// Every fault code of the exchange API and what it means.
pub const FAULTS: &[(&str, &str)] = &[
    (
        "security-token-missing",
        "Pas d'en-tête wsse:Security avec un UsernameToken.",
    ),
    (
        "security-token-unsupported",
        "Mot de passe en clair (PasswordText), ou pas de Nonce ou de wsu:Created : seul PasswordDigest est accepté.",
    ),
    (
        "security-token-invalid",
        "wsu:Created n'est pas une date et heure avec fuseau.",
    ),
    (
        "security-token-expired",
        "wsu:Created date de plus de cinq minutes (ou de plus d'une minute dans le futur).",
    ),
    (
        "security-token-replayed",
        "Le Nonce a déjà servi : chaque appel en tire un nouveau.",
    ),
    (
        "failed-authentication",
        "Identifiant inconnu, compte désactivé ou mot de passe faux (on ne dit pas lequel).",
    ),
    (
        "throttled",
        "Trop d'échecs d'authentification depuis cette adresse : attendez avant de réessayer.",
    ),
    (
        "unknown-operation",
        "Opération inconnue dans cet espace de noms.",
    ),
    (
        "invalid-value",
        "Un paramètre manque ou n'a pas la bonne forme (le détail nomme chacun).",
    ),
    ("unknown-service", "Aucun téléservice de ce code."),
    ("unknown-department", "Aucun service municipal de ce code."),
    ("unknown-request", "Aucune demande de cette référence."),
    (
        "not-allowed",
        "La demande est hors des services municipaux où ce compte a des droits.",
    ),
    ("too-many", "Plus de 500 références en un appel."),
    (
        "stale-revision",
        "La demande a changé depuis la révision donnée : relisez-la (GetRequestFile) avant de décider.",
    ),
    (
        "refused",
        "Le circuit refuse ce changement à cette étape (action inconnue, rôle insuffisant, commentaire manquant, demande terminée…) ; le message dit pourquoi.",
    ),
    (
        "file-refused",
        "Le document est vide, trop gros ou d'un type non accepté.",
    ),
];
