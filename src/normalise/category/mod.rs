//! Functional categories: the project's vocabulary ([`VOCABULARY`]), the categories a source
//! declares mapped onto it, and, for records that declare none, categories inferred from what
//! the record says (name, description, tags) by weighted phrases stemmed per language
//! ([`infer`]). docs/normalisation.md documents the rules, the phrases and their measured
//! precision.

mod infer;
mod vocabulary;

pub use infer::{Evidence, score};
pub use vocabulary::{Category, VOCABULARY};

use super::values;

/// The score a category needs to be inferred: one strong phrase (1.0), or two weak ones.
pub const THRESHOLD: f32 = 1.0;
/// The share of a record's best score another category needs to be inferred beside it.
pub const RELATIVE: f32 = 0.5;

/// Categories that a word of manner often names beside what a tool does (`collaborative
/// kanban boards`, `a Matrix collaboration client`): inferred only when no other inferred
/// category scores as much.
pub const MODIFIERS: &[&str] = &["collaboration"];

/// Broad source categories (kebab form): the family of vocabulary categories each may mean,
/// and the one it maps to when the record's text names none of them (`e-participation` is
/// consultation, or the participatory budgeting a record's text names).
pub const BROAD: &[(&str, &[&str], &str)] = &[
    ("participation", PARTICIPATION, "consultation"),
    ("e-participation", PARTICIPATION, "consultation"),
    ("participation-citoyenne", PARTICIPATION, "consultation"),
    ("citizen-participation", PARTICIPATION, "consultation"),
    ("data-collection", DATA, "data-analysis"),
    ("data-visualization", DATA, "data-analysis"),
    ("data-analytics", DATA, "data-analysis"),
];
const PARTICIPATION: &[&str] = &[
    "consultation",
    "participatory-budgeting",
    "petitions",
    "deliberation",
    "voting-and-elections",
    "law-making",
];
const DATA: &[&str] = &["data-analysis", "open-data"];

/// True when `id` is a category of the vocabulary.
pub fn is_category(id: &str) -> bool {
    VOCABULARY.iter().any(|c| c.id == id)
}

/// Source categories (kebab form) that name a category of the vocabulary under another
/// name: the publiccode.yml category list, and the labels of SILL, the Civic Tech Field Guide
/// and directories. Anything else a source calls a category is kept as a tag (and read as
/// evidence by the inference).
pub const DECLARED: &[(&str, &str)] = &[
    // publiccode.yml `categories` (the standard's list)
    ("accounting", "administration-and-management"),
    ("agile-project-management", "office-and-productivity"),
    ("applicant-tracking", "administration-and-management"),
    ("application-development", "software-development"),
    ("appointment-scheduling", "administration-and-management"),
    ("backup", "it-infrastructure"),
    ("billing-and-invoicing", "administration-and-management"),
    ("blog", "content-management"),
    ("budgeting", "administration-and-management"),
    ("business-intelligence", "data-analysis"),
    (
        "business-process-management",
        "administration-and-management",
    ),
    ("call-center-management", "communication-and-messaging"),
    ("cloud-management", "it-infrastructure"),
    ("communications", "communication-and-messaging"),
    ("compliance-management", "administration-and-management"),
    ("contact-management", "administration-and-management"),
    ("content-management", "content-management"),
    ("crm", "administration-and-management"),
    (
        "customer-service-and-support",
        "administration-and-management",
    ),
    ("design", "multimedia-and-design"),
    ("design-system", "software-development"),
    ("digital-asset-management", "content-management"),
    ("digital-citizenship", "service-delivery-and-benefits"),
    ("document-management", "content-management"),
    ("donor-management", "administration-and-management"),
    ("e-commerce", "administration-and-management"),
    ("e-signature", "administration-and-management"),
    ("educational-content", "education"),
    ("email-management", "communication-and-messaging"),
    ("email-marketing", "communication-and-messaging"),
    ("employee-management", "administration-and-management"),
    ("enterprise-project-management", "office-and-productivity"),
    (
        "enterprise-social-networking",
        "communication-and-messaging",
    ),
    ("erp", "administration-and-management"),
    ("event-management", "office-and-productivity"),
    ("facility-management", "administration-and-management"),
    ("feedback-and-reviews-management", "consultation"),
    ("financial-reporting", "administration-and-management"),
    ("fleet-management", "administration-and-management"),
    ("fundraising", "administration-and-management"),
    ("geographic-information-systems", "geospatial"),
    ("grant-management", "administration-and-management"),
    ("graphic-design", "multimedia-and-design"),
    ("help-desk", "it-infrastructure"),
    ("hr", "administration-and-management"),
    ("ide", "software-development"),
    ("identity-management", "security-and-identity"),
    ("instant-messaging", "communication-and-messaging"),
    ("integrated-library-system", "content-management"),
    ("inventory-management", "administration-and-management"),
    ("it-asset-management", "it-infrastructure"),
    ("it-development", "software-development"),
    ("it-management", "it-infrastructure"),
    ("it-security", "security-and-identity"),
    ("it-service-management", "it-infrastructure"),
    ("knowledge-management", "content-management"),
    ("learning-management-system", "education"),
    ("marketing", "communication-and-messaging"),
    ("mind-mapping", "office-and-productivity"),
    ("mobile-marketing", "communication-and-messaging"),
    ("mobile-payment", "administration-and-management"),
    ("network-management", "it-infrastructure"),
    ("office", "office-and-productivity"),
    ("online-booking", "administration-and-management"),
    ("online-community", "communication-and-messaging"),
    ("payment-gateway", "administration-and-management"),
    ("payroll", "administration-and-management"),
    ("predictive-analysis", "data-analysis"),
    ("procurement", "administration-and-management"),
    ("productivity-suite", "office-and-productivity"),
    ("project-collaboration", "collaboration"),
    ("project-management", "office-and-productivity"),
    ("property-management", "administration-and-management"),
    ("real-estate-management", "administration-and-management"),
    ("regulations-and-directives", "law-making"),
    ("remote-support", "it-infrastructure"),
    ("resource-management", "administration-and-management"),
    ("sales-management", "administration-and-management"),
    ("seo", "content-management"),
    ("service-desk", "it-infrastructure"),
    ("social-media-management", "communication-and-messaging"),
    ("survey", "consultation"),
    ("talent-management", "administration-and-management"),
    ("task-management", "office-and-productivity"),
    ("taxes-management", "administration-and-management"),
    ("test-management", "software-development"),
    ("time-management", "office-and-productivity"),
    ("time-tracking", "office-and-productivity"),
    ("translation", "office-and-productivity"),
    ("video-conferencing", "communication-and-messaging"),
    ("video-editing", "multimedia-and-design"),
    ("visitor-management", "administration-and-management"),
    ("voip", "communication-and-messaging"),
    ("warehouse-management", "administration-and-management"),
    ("web-collaboration", "collaboration"),
    ("web-conferencing", "communication-and-messaging"),
    ("website-builder", "content-management"),
    ("whistleblowing", "transparency-and-accountability"),
    ("workflow-management", "administration-and-management"),
    // civic and directory labels
    ("participatory-budget", "participatory-budgeting"),
    ("budget-participatif", "participatory-budgeting"),
    ("petition", "petitions"),
    ("elections", "voting-and-elections"),
    ("voting", "voting-and-elections"),
    ("e-voting", "voting-and-elections"),
    ("legislation", "law-making"),
    ("transparency", "transparency-and-accountability"),
    ("freedom-of-information", "freedom-of-information"),
    ("foi", "freedom-of-information"),
    ("public-services", "service-delivery-and-benefits"),
    ("civic-reporting", "civic-reporting-and-mapping"),
    // SILL categories (French)
    ("bureautique", "office-and-productivity"),
    ("navigateur-web", "office-and-productivity"),
    ("messagerie", "communication-and-messaging"),
    ("visiophonie", "communication-and-messaging"),
    ("outil-collaboratif", "collaboration"),
    ("moteur-sig", "geospatial"),
    ("sig", "geospatial"),
];

/// The categories of one record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assigned {
    /// Vocabulary ids, sorted.
    pub categories: Vec<String>,
    /// True when `categories` were inferred (the source declared none that maps).
    pub inferred: bool,
    /// The inferred categories with their scores, `id:score` (score to two decimals), in the
    /// order of `categories`.
    pub scores: Vec<String>,
    /// Source categories that name no category of the vocabulary (they become tags).
    pub unmatched: Vec<String>,
}

/// The vocabulary id a source category names (its kebab form is an id, or a [`DECLARED`]
/// label), if any.
pub fn declared(source_category: &str) -> Option<&'static str> {
    let kebab = values::tag(source_category);
    VOCABULARY
        .iter()
        .map(|c| c.id)
        .find(|id| *id == kebab)
        .or_else(|| {
            DECLARED
                .iter()
                .find(|(label, _)| *label == kebab)
                .map(|(_, id)| *id)
        })
}

/// Categories of a record. The categories its source declares that map to the vocabulary
/// ([`declared`]) are its categories. When none maps, categories are inferred from the name,
/// the description, the tags and the source categories that did not map: each category
/// whose [`score`] reaches [`THRESHOLD`].
pub fn assign(
    source_categories: &[String],
    name: Option<&str>,
    description: Option<&str>,
    tags: &[String],
) -> Assigned {
    let mut out = Assigned::default();
    // The families of the broad categories declared, each with its default.
    let mut broad: Vec<(&[&str], &str)> = Vec::new();
    for c in source_categories {
        let kebab = values::tag(c);
        if let Some((_, family, default)) = BROAD.iter().find(|(label, _, _)| *label == kebab) {
            broad.push((family, default));
            continue;
        }
        match declared(c) {
            Some(id) => out.categories.push(id.to_string()),
            None => out.unmatched.push(c.clone()),
        }
    }
    if !out.categories.is_empty() && broad.is_empty() {
        out.categories.sort();
        out.categories.dedup();
        return out;
    }
    let mut texts: Vec<&str> = name.into_iter().chain(description).collect();
    texts.extend(out.unmatched.iter().map(String::as_str));
    let found = infer_from(&texts, tags);
    if broad.is_empty() {
        out.inferred = !found.is_empty();
        out.categories = found.iter().map(|e| e.category.to_string()).collect();
        out.scores = found
            .iter()
            .map(|e| format!("{}:{:.2}", e.category, e.score))
            .collect();
        return out;
    }
    // A broad category is what the text names of its family, else its default: the
    // declaration is kept, made precise, never overridden by another family.
    for (family, default) in broad {
        let named: Vec<&Evidence> = found
            .iter()
            .filter(|e| family.contains(&e.category))
            .collect();
        if named.is_empty() {
            out.categories.push(default.to_string());
        }
        for e in named {
            out.categories.push(e.category.to_string());
            out.scores.push(format!("{}:{:.2}", e.category, e.score));
        }
    }
    out.categories.sort();
    out.categories.dedup();
    out.scores.sort();
    out.scores.dedup();
    out
}

/// The categories inferred from a record's texts and tags: each whose [`score`] reaches
/// [`THRESHOLD`] and [`RELATIVE`] of the best one, a [`MODIFIERS`] category only when no
/// other scores as much; sorted by id.
fn infer_from(texts: &[&str], tags: &[String]) -> Vec<Evidence> {
    let scored = score(texts, tags);
    let best = scored.iter().map(|e| e.score).fold(0.0, f32::max);
    let kept: Vec<Evidence> = scored
        .into_iter()
        .filter(|e| e.score >= THRESHOLD && e.score >= RELATIVE * best)
        .collect();
    let top_other = |me: &Evidence| {
        kept.iter()
            .filter(|e| e.category != me.category)
            .map(|e| e.score)
            .fold(0.0, f32::max)
    };
    let mut found: Vec<Evidence> = kept
        .iter()
        .filter(|e| !MODIFIERS.contains(&e.category) || e.score > top_other(e))
        .cloned()
        .collect();
    found.sort_by(|a, b| a.category.cmp(b.category));
    found
}

#[cfg(test)]
mod tests;
