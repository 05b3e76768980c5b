//! `/demo/watch`: a page whose prices and stock move by themselves, for the
//! demo's price monitor. What it shows is a function of the minute (UTC), so
//! each minute's page differs from the last in a few places, the same for
//! every reader of that minute, and a newcomer sees changes arrive.

use super::shop::document;

/// Products on the page; one of them comes and goes.
const PRODUCTS: [&str; 8] = [
    "Walnut Desk Lamp",
    "Copper Kettle",
    "Linen Notebook",
    "Granite Mortar",
    "Maple Cutting Board",
    "Indigo Mug",
    "Brass Timer",
    "Cork Coasters",
];

/// One row of the page in minute `minute`: `None` when it is not shown.
fn row(n: usize, minute: u64) -> Option<(u32, bool)> {
    // The last product is listed in even minutes only.
    if n == PRODUCTS.len() - 1 && minute % 2 == 1 {
        return None;
    }
    let base = 1_500 + (n as u32 * 1_137) % 6_000;
    // Two products a minute take a new price, in turn: -15% to +12%.
    let step = minute / 2 + (n as u64 * 3);
    let swing = [0, -15, 8, -5, 12, -10, 3][(step % 7) as usize];
    let cents = (base as i64 * (100 + swing) / 100) as u32;
    let in_stock = !(minute + n as u64).is_multiple_of(5);
    Some((cents, in_stock))
}

/// The page as it is in `minute` (minutes since the Unix epoch).
pub fn page(minute: u64) -> String {
    let cards: String = PRODUCTS
        .iter()
        .enumerate()
        .filter_map(|(n, name)| row(n, minute).map(|r| (n, name, r)))
        .map(|(n, name, (cents, in_stock))| {
            format!(
                r#"<div class="product-card"><a href="/demo/watch/{n}"><h2 class="name">{name}</h2></a><span class="price">${}.{:02}</span><span class="stock">{}</span></div>
"#,
                cents / 100,
                cents % 100,
                if in_stock { "In stock" } else { "Sold out" },
            )
        })
        .collect();
    document(
        "Demo price watch",
        &format!(
            "<h1>Today's prices</h1>\n<p>Prices and stock here move every minute, for the demo's monitor.</p>\n<div class=\"products\">\n{cards}</div>"
        ),
    )
}

/// The current minute since the Unix epoch.
pub fn now_minute() -> u64 {
    (chrono::Utc::now().timestamp().max(0) as u64) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_is_the_same_for_every_reader_and_the_next_differs() {
        assert_eq!(page(29_000_000), page(29_000_000));
        for minute in 29_000_000..29_000_010 {
            let (now, next) = (page(minute), page(minute + 1));
            assert_ne!(now, next, "minute {minute}");
        }
        // The comer-and-goer.
        assert!(page(29_000_000).contains("Cork Coasters"));
        assert!(!page(29_000_001).contains("Cork Coasters"));
    }
}
