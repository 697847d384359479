//! What every page shares: its frame (`Chrome`: title, language switch, the signed-in person's
//! navigation), a refused form's typed values (`Typed`), and rendering. It knows no request and no
//! handler; `ctx` builds a page's frame from the request.

use crate::i18n::Lang;
use askama::Template;
use axum::response::Html;
use klade_app::AppError;

/// What every page's frame shows: title, language switch, the signed-in person.
pub struct Chrome {
    pub title: String,
    /// The page's own address, so its navigation marks where the reader is.
    pub path: String,
    pub lang: &'static str,
    pub other_lang: &'static str,
    /// The header's switch: the other language's own name, and where it leads.
    pub other_name: &'static str,
    pub lang_href: String,
    /// Every language, for the login and account pages to offer.
    pub languages: Vec<LangLink>,
    pub user: Option<UserChrome>,
    /// The page answers a form that was not taken (the session ended, the form was outdated): the
    /// browser keeps what was typed to put back into the form (`static/forms.js`).
    pub keep_draft: bool,
    /// A one-time token for this page's creating forms (`once`): the same form sent twice makes
    /// one record (`session::once_only`).
    pub once: String,
    /// The institution whose pages these are, in the header: the reader's one, or on the login
    /// page the install's when it serves one only.
    pub brand: Option<std::sync::Arc<klade_app::home::Brand>>,
    /// Someone in several institutions: each, for the menu to lead to its part of the home page.
    pub places: Vec<std::sync::Arc<klade_app::home::Brand>>,
}

/// A language to switch to: its code, its own name, the address that switches, and whether the
/// page is in it.
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// An option of a select or a tab: what it sends or where it leads, its label, and whether it is
/// the one chosen.
pub struct Choice<V> {
    pub value: V,
    pub label: String,
    pub chosen: bool,
}

/// An option of a select or a checkbox offered the same in several places: which one is chosen is
/// said where it is shown (a refused form's `Typed::has`, a row's own value).
pub struct Labelled<V> {
    pub value: V,
    pub label: String,
}

/// What a refused form's user typed, for the page to show again with the wrong field marked:
/// the rule for every form is that a refusal loses nothing. `form` names which of a page's forms
/// it was; a fresh page has none.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub form: &'static str,
    fields: Vec<(String, String)>,
    /// The refused field.
    pub bad: String,
}

impl Typed {
    pub fn new(form: &'static str, fields: &[(String, String)], error: Option<&AppError>) -> Self {
        Self {
            form,
            fields: fields.iter().filter(|(k, _)| k != "csrf").cloned().collect(),
            bad: match error {
                Some(AppError::Invalid { field, .. }) => (*field).to_string(),
                Some(AppError::InvalidAt { field, .. }) => field.clone(),
                _ => String::new(),
            },
        }
    }

    /// The typed value of `name` when `form` was the one refused, else `default`.
    pub fn or<'a>(&'a self, form: &str, name: &str, default: &'a str) -> &'a str {
        if self.form != form {
            return default;
        }
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| v.as_str())
    }

    /// Whether `value` was chosen for `name` (a select's option, a ticked box) in the refused form.
    pub fn has(&self, form: &str, name: &str, value: &str) -> bool {
        self.form == form && self.fields.iter().any(|(k, v)| k == name && v == value)
    }

    /// Whether `form` was refused: its fields then show what was typed, not the defaults.
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }

    /// ` aria-invalid="true"` for the refused field of `form`, for the template to write as is.
    pub fn invalid(&self, form: &str, name: &str) -> &'static str {
        if self.form == form && self.bad == name {
            " aria-invalid=\"true\""
        } else {
            ""
        }
    }
}

/// Reads a form's fields into its input type; a field that does not parse (a number left empty)
/// is a refusal the page shows with what was typed, not the framework's plain-text answer.
pub fn parse_form<T: serde::de::DeserializeOwned>(fields: &[(String, String)]) -> Result<T, AppError> {
    let encoded = serde_urlencoded::to_string(fields).map_err(|_| AppError::invalid("form", "error.form"))?;
    serde_urlencoded::from_str(&encoded).map_err(|_| AppError::invalid("form", "error.form"))
}

#[derive(Debug, Clone)]
pub struct UserChrome {
    pub name: String,
    /// The person's id: a draft kept after an ended session goes back only to the same person.
    pub who: i64,
    pub csrf: String,
    /// Where this person's work is, from what the policy allows.
    pub links: Vec<klade_app::home::MenuLink>,
    /// Messages not read yet.
    pub unread: i64,
    /// A student or a parent: on a phone, their four places sit in a bar at the bottom.
    pub family: bool,
}

impl Chrome {
    pub(crate) fn new(lang: Lang, title: &str, path: &str, user: Option<UserChrome>) -> Self {
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        Self {
            title: title.to_string(),
            path: path.to_string(),
            lang: lang.code(),
            other_lang: lang.other().code(),
            other_name: lang.other().name(),
            lang_href: format!("/lang/{}?next={next}", lang.other().code()),
            languages: Lang::ALL
                .into_iter()
                .map(|l| LangLink {
                    code: l.code(),
                    name: l.name(),
                    href: format!("/lang/{}?next={next}", l.code()),
                    current: l == lang,
                })
                .collect(),
            user,
            keep_draft: false,
            once: klade_app::auth::random_hex(16).unwrap_or_default(),
            brand: None,
            places: Vec::new(),
        }
    }

    /// An error page's: the navigation of whoever is signed in.
    pub(crate) fn for_error(lang: Lang, title: &str, user: Option<UserChrome>) -> Self {
        Self::new(lang, title, "/", user)
    }
}

pub(crate) fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    template
        .render()
        .map(Html)
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}
