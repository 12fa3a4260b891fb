//! `html` sources: directory web sites read with CSS selectors (SPEC section 4 `html`).
//!
//! `start_urls` → listing pages (`item` selects each record, `next_page` follows pagination on
//! the same origin, loop-safe, capped) → optional detail pages (`detail` inside an item links
//! to the page where the `fields` selectors apply; without it they apply to the item). The
//! `[[organisations]]` and `[[use_cases]]` tables apply in the same scope, `each` selecting
//! the elements that are one part each.

mod decl;
pub(crate) mod extract;
mod walk;

#[cfg(test)]
mod tests;

pub use decl::{HtmlSource, KEYS, build};
pub(crate) use walk::walk;
