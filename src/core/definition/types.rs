//! Types of service definition files, generated from
//! `xsd/service-definition.xsd` by `tests/definition_types.rs` (xsd-parser):
//! do not edit; change the schema and regenerate
//! (`GUICHET_REGENERATE=1 cargo test --test definition_types`).

#![allow(clippy::all, missing_docs, dead_code)]

use serde::{Deserialize, Serialize};
pub type Service = ServiceElementType;
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceElementType {
    #[serde(rename = "@code")]
    pub code: String,
    #[serde(rename = "@version")]
    pub version: usize,
    #[serde(default, rename = "@requesters")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requesters: Option<RequesterKindList>,
    #[serde(default, rename = "title")]
    pub title: Vec<TitledType>,
    #[serde(rename = "theme")]
    pub theme: CodedType,
    #[serde(rename = "department")]
    pub department: CodedType,
    #[serde(rename = "operation")]
    pub operation: String,
    #[serde(rename = "deadline")]
    pub deadline: ServiceDeadlineElementType,
    #[serde(default, rename = "description")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "privacy")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<ServicePrivacyElementType>,
    #[serde(rename = "form")]
    pub form: ServiceFormElementType,
    #[serde(default, rename = "rules")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<ServiceRulesElementType>,
    #[serde(default, rename = "booking")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking: Option<ServiceBookingElementType>,
    #[serde(default, rename = "appointment")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<ServiceAppointmentElementType>,
    #[serde(default, rename = "simulation")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<ServiceSimulationElementType>,
    #[serde(default, rename = "workflow")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<ServiceWorkflowElementType>,
}
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
pub struct RequesterKindList(pub Vec<RequesterKindType>);
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct TitledType {
    #[serde(default = "TitledType::default_lang", rename = "@lang")]
    pub lang: String,
    #[serde(default, rename = "$text")]
    pub content: String,
}
impl TitledType {
    #[must_use]
    pub fn default_lang() -> String {
        String::from("fr")
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct CodedType {
    #[serde(rename = "@code")]
    pub code: String,
    #[serde(default, rename = "$text")]
    pub content: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceDeadlineElementType {
    #[serde(rename = "@days")]
    pub days: usize,
    #[serde(default = "ServiceDeadlineElementType::default_count", rename = "@count")]
    pub count: ServiceDeadlineCountType,
    #[serde(default, rename = "@silence")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silence: Option<ServiceDeadlineSilenceType>,
    #[serde(default, rename = "@then")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<String>,
}
impl ServiceDeadlineElementType {
    #[must_use]
    pub fn default_count() -> ServiceDeadlineCountType {
        ServiceDeadlineCountType::Calendar
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServicePrivacyElementType {
    #[serde(default, rename = "@anonymiseAfterMonths")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymise_after_months: Option<usize>,
    #[serde(default, rename = "@filesDeletedAfterMonths")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files_deleted_after_months: Option<usize>,
    #[serde(
        default = "ServicePrivacyElementType::default_legal_basis",
        rename = "@legalBasis"
    )]
    pub legal_basis: ServicePrivacyLegalBasisType,
    #[serde(default, rename = "purpose")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default, rename = "retention")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(default, rename = "recipients")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipients: Option<String>,
}
impl ServicePrivacyElementType {
    #[must_use]
    pub fn default_legal_basis() -> ServicePrivacyLegalBasisType {
        ServicePrivacyLegalBasisType::PublicTask
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceFormElementType {
    #[serde(rename = "$value")]
    pub content: Vec<ServiceFormElementTypeContent>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceFormElementTypeContent {
    #[serde(rename = "page")]
    Page(PageType),
    #[serde(rename = "field")]
    Field(FieldType),
    #[serde(rename = "group")]
    Group(GroupType),
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceRulesElementType {
    #[serde(rename = "$value")]
    pub content: Vec<ServiceRulesElementTypeContent>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceRulesElementTypeContent {
    #[serde(rename = "past")]
    Past(FieldRuleType),
    #[serde(rename = "notBefore")]
    NotBefore(ServiceRulesNotBeforeElementType),
    #[serde(rename = "after")]
    After(ServiceRulesAfterElementType),
    #[serde(rename = "requiredIf")]
    RequiredIf(ServiceRulesRequiredIfElementType),
    #[serde(rename = "atLeastOne")]
    AtLeastOne(ServiceRulesAtLeastOneElementType),
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceBookingElementType {
    #[serde(default, rename = "@resource")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(rename = "@date")]
    pub date: String,
    #[serde(rename = "@start")]
    pub start: String,
    #[serde(rename = "@end")]
    pub end: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceAppointmentElementType {
    #[serde(rename = "@date")]
    pub date: String,
    #[serde(rename = "@time")]
    pub time: String,
    #[serde(rename = "@minutes")]
    pub minutes: usize,
    #[serde(default, rename = "@agenda")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<String>,
    #[serde(default = "ServiceAppointmentElementType::default_desks", rename = "@desks")]
    pub desks: usize,
    #[serde(default, rename = "@resource")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, rename = "hours")]
    pub hours: Vec<ServiceAppointmentHoursElementType>,
}
impl ServiceAppointmentElementType {
    #[must_use]
    pub fn default_desks() -> usize {
        1usize
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceSimulationElementType {
    #[serde(default, rename = "@continue")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_: Option<String>,
    #[serde(default, rename = "result")]
    pub result: Vec<ServiceSimulationResultElementType>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowElementType {
    #[serde(default, rename = "step")]
    pub step: Vec<ServiceWorkflowStepElementType>,
    #[serde(default, rename = "unanswered")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unanswered: Option<ServiceWorkflowUnansweredElementType>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum RequesterKindType {
    #[serde(rename = "citizen")]
    Citizen,
    #[serde(rename = "association")]
    Association,
    #[serde(rename = "business")]
    Business,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceDeadlineCountType {
    #[serde(rename = "calendar")]
    Calendar,
    #[serde(rename = "working")]
    Working,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceDeadlineSilenceType {
    #[serde(rename = "acceptance")]
    Acceptance,
    #[serde(rename = "refusal")]
    Refusal,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServicePrivacyLegalBasisType {
    #[serde(rename = "public-task")]
    PublicTask,
    #[serde(rename = "legal-obligation")]
    LegalObligation,
    #[serde(rename = "consent")]
    Consent,
    #[serde(rename = "contract")]
    Contract,
    #[serde(rename = "vital-interests")]
    VitalInterests,
    #[serde(rename = "legitimate-interests")]
    LegitimateInterests,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct PageType {
    #[serde(default, rename = "title")]
    pub title: Vec<WordedType>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct FieldType {
    #[serde(rename = "@name")]
    pub name: String,
    #[serde(rename = "@type")]
    pub type_: FieldKindType,
    #[serde(default, rename = "@when")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(default, rename = "@equals")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equals: Option<ValuesType>,
    #[serde(default = "FieldType::default_required", rename = "@required")]
    pub required: bool,
    #[serde(default, rename = "@minLength")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    #[serde(default, rename = "@maxLength")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, rename = "@length")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    #[serde(default, rename = "@pattern")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, rename = "@min")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(default, rename = "@max")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    #[serde(default, rename = "@fractionDigits")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction_digits: Option<usize>,
    #[serde(default, rename = "@minItems")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    #[serde(default, rename = "@maxItems")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(default, rename = "@accept")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<String>,
    #[serde(default, rename = "@maxKilobytes")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_kilobytes: Option<usize>,
    #[serde(default = "FieldType::default_remove_metadata", rename = "@removeMetadata")]
    pub remove_metadata: bool,
    #[serde(default, rename = "label")]
    pub label: Vec<WordedType>,
    #[serde(default, rename = "help")]
    pub help: Vec<WordedType>,
    #[serde(default, rename = "patternMessage")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<String>,
    #[serde(default, rename = "option")]
    pub option: Vec<OptionType>,
}
impl FieldType {
    #[must_use]
    pub fn default_required() -> bool {
        false
    }
    #[must_use]
    pub fn default_remove_metadata() -> bool {
        true
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct GroupType {
    #[serde(rename = "@name")]
    pub name: String,
    #[serde(default = "GroupType::default_min_occurs", rename = "@minOccurs")]
    pub min_occurs: usize,
    #[serde(rename = "@maxOccurs")]
    pub max_occurs: usize,
    #[serde(default, rename = "@when")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(default, rename = "@equals")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equals: Option<ValuesType>,
    #[serde(default, rename = "label")]
    pub label: Vec<WordedType>,
    #[serde(default, rename = "help")]
    pub help: Vec<WordedType>,
    #[serde(default, rename = "field")]
    pub field: Vec<FieldType>,
}
impl GroupType {
    #[must_use]
    pub fn default_min_occurs() -> usize {
        0usize
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct FieldRuleType {
    #[serde(default, rename = "@code")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "@field")]
    pub field: String,
    #[serde(default, rename = "message")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceRulesNotBeforeElementType {
    #[serde(default, rename = "@code")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "@field")]
    pub field: String,
    #[serde(rename = "@days")]
    pub days: i32,
    #[serde(default, rename = "message")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceRulesAfterElementType {
    #[serde(default, rename = "@code")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "@field")]
    pub field: String,
    #[serde(rename = "@than")]
    pub than: String,
    #[serde(default, rename = "message")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceRulesRequiredIfElementType {
    #[serde(default, rename = "@code")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "@field")]
    pub field: String,
    #[serde(rename = "@when")]
    pub when: String,
    #[serde(rename = "@equals")]
    pub equals: String,
    #[serde(default, rename = "message")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceRulesAtLeastOneElementType {
    #[serde(default, rename = "@code")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "@fields")]
    pub fields: NameList,
    #[serde(default, rename = "message")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceAppointmentHoursElementType {
    #[serde(rename = "@days")]
    pub days: String,
    #[serde(rename = "@from")]
    pub from: String,
    #[serde(rename = "@to")]
    pub to: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceSimulationResultElementType {
    #[serde(rename = "@name")]
    pub name: String,
    #[serde(rename = "@formula")]
    pub formula: String,
    #[serde(
        default = "ServiceSimulationResultElementType::default_fraction_digits",
        rename = "@fractionDigits"
    )]
    pub fraction_digits: usize,
    #[serde(default, rename = "@unit")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, rename = "label")]
    pub label: Vec<WordedType>,
}
impl ServiceSimulationResultElementType {
    #[must_use]
    pub fn default_fraction_digits() -> usize {
        2usize
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepElementType {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(default, rename = "@department")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, rename = "@colour")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    #[serde(default = "ServiceWorkflowStepElementType::default_kind", rename = "@kind")]
    pub kind: StepKindType,
    #[serde(rename = "@label")]
    pub label: String,
    #[serde(default, rename = "@citizen")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citizen: Option<String>,
    #[serde(default, rename = "@citizenEn")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citizen_en: Option<String>,
    #[serde(default, rename = "onEnter")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_enter: Option<ServiceWorkflowStepOnEnterElementType>,
    #[serde(default, rename = "action")]
    pub action: Vec<ServiceWorkflowStepActionElementType>,
    #[serde(default, rename = "timeout")]
    pub timeout: Vec<ServiceWorkflowStepTimeoutElementType>,
}
impl ServiceWorkflowStepElementType {
    #[must_use]
    pub fn default_kind() -> StepKindType {
        StepKindType::Agent
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowUnansweredElementType {
    #[serde(rename = "@days")]
    pub days: usize,
    #[serde(rename = "@to")]
    pub to: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct WordedType {
    #[serde(default = "WordedType::default_lang", rename = "@lang")]
    pub lang: String,
    #[serde(default, rename = "$text")]
    pub content: String,
}
impl WordedType {
    #[must_use]
    pub fn default_lang() -> String {
        String::from("fr")
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum FieldKindType {
    #[serde(rename = "text")]
    Text,
    #[serde(rename = "long-text")]
    LongText,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "phone")]
    Phone,
    #[serde(rename = "postal-code")]
    PostalCode,
    #[serde(rename = "date")]
    Date,
    #[serde(rename = "time")]
    Time,
    #[serde(rename = "integer")]
    Integer,
    #[serde(rename = "decimal")]
    Decimal,
    #[serde(rename = "boolean")]
    Boolean,
    #[serde(rename = "choice")]
    Choice,
    #[serde(rename = "multiple-choice")]
    MultipleChoice,
    #[serde(rename = "address")]
    Address,
    #[serde(rename = "siret")]
    Siret,
    #[serde(rename = "siren")]
    Siren,
    #[serde(rename = "iban")]
    Iban,
    #[serde(rename = "bic")]
    Bic,
    #[serde(rename = "amount")]
    Amount,
    #[serde(rename = "country")]
    Country,
    #[serde(rename = "cadastral-parcel")]
    CadastralParcel,
    #[serde(rename = "partial-date")]
    PartialDate,
    #[serde(rename = "commune")]
    Commune,
    #[serde(rename = "file")]
    File,
}
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
pub struct ValuesType(pub Vec<TokenType>);
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct OptionType {
    #[serde(rename = "@value")]
    pub value: String,
    #[serde(default, rename = "@en")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(default, rename = "$text")]
    pub content: String,
}
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
pub struct NameList(pub Vec<NameType>);
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum StepKindType {
    #[serde(rename = "agent")]
    Agent,
    #[serde(rename = "citizen")]
    Citizen,
    #[serde(rename = "automatic")]
    Automatic,
    #[serde(rename = "accepted")]
    Accepted,
    #[serde(rename = "refused")]
    Refused,
    #[serde(rename = "closed")]
    Closed,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterElementType {
    #[serde(rename = "$value")]
    pub content: Vec<ServiceWorkflowStepOnEnterElementTypeContent>,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceWorkflowStepOnEnterElementTypeContent {
    #[serde(rename = "assign")]
    Assign(ServiceWorkflowStepOnEnterAssignElementType),
    #[serde(rename = "jump")]
    Jump(ServiceWorkflowStepOnEnterJumpElementType),
    #[serde(rename = "message")]
    Message(ServiceWorkflowStepOnEnterMessageElementType),
    #[serde(rename = "export")]
    Export(ServiceWorkflowStepOnEnterExportElementType),
    #[serde(rename = "call")]
    Call(ServiceWorkflowStepOnEnterCallElementType),
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepActionElementType {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@label")]
    pub label: String,
    #[serde(rename = "@to")]
    pub to: String,
    #[serde(default, rename = "@roles")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<ServiceItemList>,
    #[serde(
        default = "ServiceWorkflowStepActionElementType::default_comment",
        rename = "@comment"
    )]
    pub comment: ServiceWorkflowStepActionCommentType,
    #[serde(default, rename = "@message")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
impl ServiceWorkflowStepActionElementType {
    #[must_use]
    pub fn default_comment() -> ServiceWorkflowStepActionCommentType {
        ServiceWorkflowStepActionCommentType::Optional
    }
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepTimeoutElementType {
    #[serde(rename = "@days")]
    pub days: usize,
    #[serde(
        default = "ServiceWorkflowStepTimeoutElementType::default_since",
        rename = "@since"
    )]
    pub since: ServiceWorkflowStepTimeoutSinceType,
    #[serde(rename = "@to")]
    pub to: String,
}
impl ServiceWorkflowStepTimeoutElementType {
    #[must_use]
    pub fn default_since() -> ServiceWorkflowStepTimeoutSinceType {
        ServiceWorkflowStepTimeoutSinceType::Entered
    }
}
pub type TokenType = String;
pub type NameType = String;
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterAssignElementType {
    #[serde(rename = "@department")]
    pub department: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterJumpElementType {
    #[serde(rename = "@to")]
    pub to: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterMessageElementType {
    #[serde(rename = "@template")]
    pub template: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterExportElementType;
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterCallElementType {
    #[serde(rename = "@target")]
    pub target: String,
    #[serde(
        default = "ServiceWorkflowStepOnEnterCallElementType::default_body",
        rename = "@body"
    )]
    pub body: ServiceWorkflowStepOnEnterCallBodyType,
    #[serde(default, rename = "on")]
    pub on: Vec<ServiceWorkflowStepOnEnterCallOnElementType>,
}
impl ServiceWorkflowStepOnEnterCallElementType {
    #[must_use]
    pub fn default_body() -> ServiceWorkflowStepOnEnterCallBodyType {
        ServiceWorkflowStepOnEnterCallBodyType::Json
    }
}
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Serialize)]
pub struct ServiceItemList(pub Vec<ServiceItemType>);
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceWorkflowStepActionCommentType {
    #[serde(rename = "optional")]
    Optional,
    #[serde(rename = "required")]
    Required,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceWorkflowStepTimeoutSinceType {
    #[serde(rename = "entered")]
    Entered,
    #[serde(rename = "created")]
    Created,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceWorkflowStepOnEnterCallBodyType {
    #[serde(rename = "json")]
    Json,
    #[serde(rename = "file")]
    File,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub struct ServiceWorkflowStepOnEnterCallOnElementType {
    #[serde(rename = "@answer")]
    pub answer: String,
    #[serde(rename = "@to")]
    pub to: String,
}
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
pub enum ServiceItemType {
    #[serde(rename = "reader")]
    Reader,
    #[serde(rename = "handler")]
    Handler,
    #[serde(rename = "validator")]
    Validator,
}
