//! What the shop sells: categories, products and buying guides, drawn from
//! the seeded generator in the order the Python generator drew them.

use super::py_format::round;
use super::py_random::PyRandom;

/// Products on one listing page.
pub const PER_PAGE: usize = 20;

const ADJ: [&str; 16] = [
    "Classic",
    "Ultra",
    "Eco",
    "Smart",
    "Vintage",
    "Pro",
    "Compact",
    "Deluxe",
    "Rustic",
    "Modern",
    "Nordic",
    "Urban",
    "Chef's",
    "Café",
    "Travel",
    "Heavy-Duty",
];
const MAT: [&str; 12] = [
    "Oak", "Steel", "Linen", "Ceramic", "Bamboo", "Leather", "Glass", "Wool", "Copper", "Cotton",
    "Walnut", "Titanium",
];
const NOUN: [&str; 16] = [
    "Chair",
    "Lamp",
    "Kettle",
    "Backpack",
    "Desk",
    "Mug",
    "Blanket",
    "Speaker",
    "Watch",
    "Headphones",
    "Salt & Pepper Mill",
    "12\" Skillet",
    "Rug",
    "Shelf",
    "Bottle",
    "Jacket",
];
const CATS: [&str; 10] = [
    "Furniture",
    "Lighting",
    "Kitchen",
    "Bags",
    "Office",
    "Home Textiles",
    "Audio",
    "Accessories",
    "Outdoor",
    "Clothing",
];
const WORDS: [&str; 18] = [
    "quality",
    "durable",
    "design",
    "everyday",
    "comfort",
    "crafted",
    "premium",
    "finish",
    "warranty",
    "lightweight",
    "sturdy",
    "elegant",
    "versatile",
    "practical",
    "handmade",
    "classic",
    "modern",
    "sustainable",
];
const CENTS: [f64; 4] = [0.99, 0.49, 0.0, 0.95];
const STOCK: [u32; 8] = [0, 1, 2, 3, 5, 20, 50, 99];

pub struct Category {
    pub name: &'static str,
    pub slug: String,
}

pub struct Product {
    /// From 1, in drawing order.
    pub id: usize,
    pub name: String,
    pub price: f64,
    /// Index into the categories: products are dealt to them in turn.
    pub category: usize,
    pub path: String,
    pub rating: f64,
    pub reviews: u32,
    pub stock: u32,
    /// The price before the sale, for the products on sale.
    pub old_price: Option<f64>,
    pub text: String,
}

pub struct Catalogue {
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
    /// The text of each buying guide.
    pub guides: Vec<String>,
}

/// Lower case, every run of other characters one `-`, none at the ends.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Listing pages of category `k` of `categories` when `products` are dealt.
fn listing_pages(k: usize, categories: usize, products: usize) -> usize {
    products
        .saturating_sub(k)
        .div_ceil(categories)
        .div_ceil(PER_PAGE)
}

/// Category, product and guide counts for exactly `pages` pages: as many
/// products as fit, the rest guides.
fn plan(pages: usize) -> (usize, usize, usize) {
    let categories = (pages / 300).clamp(2, CATS.len());
    // Home, about and the guides index, then the categories and listings.
    let total = |products: usize| {
        3 + categories
            + (0..categories)
                .map(|k| listing_pages(k, categories, products))
                .sum::<usize>()
            + products
    };
    let mut products = 0;
    while total(products + 1) <= pages {
        products += 1;
    }
    (categories, products, pages - total(products))
}

fn words(rng: &mut PyRandom, count: usize) -> String {
    let words: Vec<&str> = (0..count).map(|_| *rng.choice(&WORDS)).collect();
    words.join(" ")
}

/// Everything on a shop of `pages` pages (at least 30).
pub fn draw(pages: usize, seed: u64) -> Catalogue {
    let mut rng = PyRandom::new(seed);
    let (ncat, nprod, nguides) = plan(pages);
    let categories = CATS[..ncat]
        .iter()
        .map(|&name| Category {
            name,
            slug: slug(name),
        })
        .collect();
    let products = (1..=nprod)
        .map(|id| {
            let name = format!(
                "{} {} {} X{id}",
                rng.choice(&ADJ),
                rng.choice(&MAT),
                rng.choice(&NOUN)
            );
            let dollars = if rng.random() < 0.05 {
                rng.randint(1000, 4999)
            } else {
                rng.randint(4, 499)
            };
            let price = round(f64::from(dollars) + rng.choice(&CENTS), 2);
            let path = format!("/product/{}.html", slug(&name));
            let rating = round(rng.uniform(1.0, 5.0), 1);
            let reviews = rng.randint(0, 900);
            let stock = *rng.choice(&STOCK);
            let old_price = (rng.random() < 0.1).then(|| round(price * 1.25, 2));
            let text = words(&mut rng, 120);
            Product {
                id,
                name,
                price,
                category: (id - 1) % ncat,
                path,
                rating,
                reviews,
                stock,
                old_price,
                text,
            }
        })
        .collect();
    let guides = (0..nguides).map(|_| words(&mut rng, 200)).collect();
    Catalogue {
        categories,
        products,
        guides,
    }
}

#[cfg(test)]
mod tests {
    use super::{plan, slug};

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Chef's Café 12\" Skillet X12"),
            "chef-s-caf-12-skillet-x12"
        );
        assert_eq!(slug("Home Textiles"), "home-textiles");
    }

    // Counts from the Python generator's plan().
    #[test]
    fn plans() {
        assert_eq!(plan(30), (2, 23, 0));
        assert_eq!(plan(300), (2, 280, 1));
        assert_eq!(plan(5000), (10, 4747, 0));
    }
}
