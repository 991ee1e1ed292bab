//! Splits a feed's items into the current document and RFC 5005 archive pages.
//!
//! Owns: which items go on which page. The current (subscription) document holds the
//! newest `limit` items; every older item is on exactly one archive page. Archive pages
//! are numbered from the oldest item (archive 1 holds the oldest `limit` items), so a
//! new article changes only the current document and the newest archive page: pages
//! that readers have already fetched never change.
//! Does not: know any format or URL (each format serialises a `Page`).

use std::ops::Range;

/// One feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// The items, as a range of the newest-first list.
    pub items: Range<usize>,
    /// `None` for the current document; `Some(n)` for archive page `n` (1 = oldest).
    pub archive: Option<usize>,
    /// The next older archive page (`prev-archive`).
    pub prev: Option<usize>,
    /// The next newer archive page (`next-archive`); `None` on the newest archive.
    pub next: Option<usize>,
}

/// Pages `count` items (newest first) with at most `limit` per document (`None`: one page).
pub(crate) fn pages(count: usize, limit: Option<usize>) -> Vec<Page> {
    let limit = match limit {
        Some(l) if l > 0 && count > l => l,
        _ => {
            return vec![Page {
                items: 0..count,
                archive: None,
                prev: None,
                next: None,
            }];
        }
    };
    let archived = count - limit;
    let archives = archived.div_ceil(limit);
    let mut out = vec![Page {
        items: 0..limit,
        archive: None,
        prev: Some(archives),
        next: None,
    }];
    for n in (1..=archives).rev() {
        // Archive n holds the oldest-first items [(n-1)·limit, n·limit) of the archived ones;
        // item i oldest-first is item count-1-i newest-first.
        let oldest_first = (n - 1) * limit..(n * limit).min(archived);
        out.push(Page {
            items: count - oldest_first.end..count - oldest_first.start,
            archive: Some(n),
            prev: (n > 1).then(|| n - 1),
            next: (n < archives).then_some(n + 1),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_feeds_and_no_limit_are_one_page() {
        assert_eq!(pages(3, Some(20)).len(), 1);
        assert_eq!(pages(20, Some(20)).len(), 1);
        assert_eq!(pages(500, None), pages(500, Some(0)));
        assert_eq!(pages(500, None)[0].items, 0..500);
        assert_eq!(pages(0, Some(2))[0].items, 0..0);
    }

    #[test]
    fn every_item_is_on_exactly_one_page_and_pages_link_up() {
        for count in 0..40 {
            for limit in 1..8 {
                let ps = pages(count, Some(limit));
                let mut seen = vec![0; count];
                for p in &ps {
                    assert!(p.items.len() <= limit && (count == 0 || !p.items.is_empty()));
                    p.items.clone().for_each(|i| seen[i] += 1);
                }
                assert!(seen.iter().all(|&n| n == 1), "{count}/{limit}: {ps:?}");
                let archives: Vec<usize> = ps.iter().filter_map(|p| p.archive).collect();
                assert_eq!(ps[0].prev, archives.iter().max().copied());
                for p in ps.iter().filter(|p| p.archive.is_some()) {
                    let n = p.archive.unwrap();
                    assert_eq!(p.prev, (n > 1).then(|| n - 1));
                    assert_eq!(p.next, (n < archives.len()).then_some(n + 1));
                }
            }
        }
    }

    #[test]
    fn old_archives_do_not_change_when_an_article_is_added() {
        // Newest first: item 0 is the newest. Name items by their age (oldest = 0).
        let names = |count: usize, p: &Page| -> Vec<usize> {
            p.items.clone().map(|i| count - 1 - i).collect()
        };
        let before = pages(10, Some(3));
        let after = pages(11, Some(3));
        let archive = |ps: &[Page], n: usize, count: usize| {
            names(count, ps.iter().find(|p| p.archive == Some(n)).unwrap())
        };
        assert_eq!(archive(&before, 1, 10), [2, 1, 0]);
        assert_eq!(archive(&before, 1, 10), archive(&after, 1, 11));
        assert_eq!(archive(&before, 2, 10), [5, 4, 3]);
        assert_eq!(archive(&before, 2, 10), archive(&after, 2, 11));
        assert_eq!(archive(&before, 3, 10), [6]);
        assert_eq!(archive(&after, 3, 11), [7, 6]);
    }
}
