//! The cursors of a payment listing that reads two lists one after the other (the payments,
//! then the refunds or later invoices): text the import stores and hands back to resume at,
//! naming a list and where in it the page starts. Lemon Squeezy and Polar number their pages
//! ([`NumberedPages`]); Paddle and Stripe go on after the last id read ([`AfterIds`]).

use datafast_domain::integration::Provider;
use datafast_ports::providers::ProviderError;

/// Which of the listing's two lists a page is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    First,
    Second,
}

/// The two lists by the names their cursors carry, and whose they are, for errors.
#[derive(Debug, Clone, Copy)]
struct Lists {
    names: [&'static str; 2],
    provider: Provider,
}

impl Lists {
    const fn new(first: &'static str, second: &'static str, provider: Provider) -> Self {
        Self {
            names: [first, second],
            provider,
        }
    }

    fn name(self, phase: Phase) -> &'static str {
        match phase {
            Phase::First => self.names[0],
            Phase::Second => self.names[1],
        }
    }

    /// `page` as `<list>:<rest>`: the list it names, and the rest.
    fn split(self, page: &str) -> Option<(Phase, &str)> {
        let (name, rest) = page.split_once(':')?;
        let phase = [Phase::First, Phase::Second]
            .into_iter()
            .find(|phase| self.name(*phase) == name)?;
        Some((phase, rest))
    }

    /// A cursor the listing never wrote: refused rather than guessed at, since reading from
    /// the wrong place would skip payments or read them twice.
    fn unknown(self, page: &str) -> ProviderError {
        ProviderError::Unavailable(format!("unknown {} cursor {page:?}", self.provider.title()))
    }
}

/// Cursors of two lists paged by number from 1: `<list>:<n>`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberedPages(Lists);

/// A page of one of the two lists, by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumberedPage {
    pub(crate) phase: Phase,
    pub(crate) number: u32,
}

impl NumberedPages {
    /// The lists named `first` and `second` in cursors, read in that order.
    pub(crate) const fn new(first: &'static str, second: &'static str, provider: Provider) -> Self {
        Self(Lists::new(first, second, provider))
    }

    /// The page `page` names; the first page of the first list when there is no cursor yet.
    pub(crate) fn parse(self, page: Option<&str>) -> Result<NumberedPage, ProviderError> {
        let Some(page) = page else {
            return Ok(NumberedPage {
                phase: Phase::First,
                number: 1,
            });
        };
        self.0
            .split(page)
            .and_then(|(phase, number)| Some((phase, number.parse().ok()?)))
            .filter(|(_, number)| *number > 0)
            .map(|(phase, number)| NumberedPage { phase, number })
            .ok_or_else(|| self.0.unknown(page))
    }

    /// The cursor after `page`: its list's next page when there are `more`, else the first
    /// page of the second list; none after the second list's last page.
    pub(crate) fn next(self, page: NumberedPage, more: bool) -> Option<String> {
        let next = match (page.phase, more) {
            (phase, true) => NumberedPage {
                phase,
                number: page.number + 1,
            },
            (Phase::First, false) => NumberedPage {
                phase: Phase::Second,
                number: 1,
            },
            (Phase::Second, false) => return None,
        };
        Some(self.encode(next))
    }

    pub(crate) fn encode(self, page: NumberedPage) -> String {
        format!("{}:{}", self.0.name(page.phase), page.number)
    }
}

/// Cursors of two lists each paged by the id it goes on after: `<list>:<id>`, the second
/// list's first page being its bare name (the first list's is no cursor at all).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AfterIds(Lists);

/// Where a page starts: its list, and the id it goes on after (none on the list's first page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AfterId<'a> {
    pub(crate) phase: Phase,
    pub(crate) after: Option<&'a str>,
}

impl AfterIds {
    /// The lists named `first` and `second` in cursors, read in that order.
    pub(crate) const fn new(first: &'static str, second: &'static str, provider: Provider) -> Self {
        Self(Lists::new(first, second, provider))
    }

    /// Where the page `page` names starts; the first list's start when there is no cursor yet.
    pub(crate) fn parse(self, page: Option<&str>) -> Result<AfterId<'_>, ProviderError> {
        let start = |phase| AfterId { phase, after: None };
        match page {
            None => Ok(start(Phase::First)),
            Some(page) if page == self.0.name(Phase::Second) => Ok(start(Phase::Second)),
            Some(page) => match self.0.split(page) {
                Some((phase, id)) if !id.is_empty() => Ok(AfterId {
                    phase,
                    after: Some(id),
                }),
                _ => Err(self.0.unknown(page)),
            },
        }
    }

    /// The cursor after a page of `phase`: the same list after `last` when the list goes on
    /// past it, else the second list's first page; none once the second list ends.
    pub(crate) fn next(self, phase: Phase, last: Option<&str>) -> Option<String> {
        match (phase, last) {
            (phase, Some(id)) => Some(format!("{}:{id}", self.0.name(phase))),
            (Phase::First, None) => Some(self.0.name(Phase::Second).to_owned()),
            (Phase::Second, None) => None,
        }
    }
}

/// Checks that `pages` reads back the cursors it writes for the pages `good` (a phase and a
/// number), starts at the first page of the first list, and refuses each of `bad`.
#[cfg(test)]
pub(crate) fn assert_reads_back(pages: NumberedPages, good: [(Phase, u32); 2], bad: &[&str]) {
    let page = |(phase, number)| NumberedPage { phase, number };
    assert_eq!(pages.parse(None), Ok(page((Phase::First, 1))));
    for cursor in good.map(page) {
        assert_eq!(pages.parse(Some(&pages.encode(cursor))), Ok(cursor));
    }
    for bad in bad {
        assert!(pages.parse(Some(bad)).is_err(), "{bad}");
    }
}
