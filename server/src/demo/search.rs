//! `/demo/search`: a page that shows nothing to a fetch. Its products
//! appear only when a search is typed and sent, four at a time, with a
//! "Load more" button for the rest: what the demo's interact flow drives in
//! the browser.

use super::shop::{PRODUCTS, document, product};

pub fn page() -> String {
    let catalogue: Vec<serde_json::Value> = (1..=PRODUCTS)
        .filter_map(product)
        .map(|p| {
            serde_json::json!({
                "n": p.n,
                "name": p.name,
                "price": format!("${}.{:02}", p.price_cents / 100, p.price_cents % 100),
            })
        })
        .collect();
    let data = serde_json::to_string(&catalogue).expect("products serialize");
    document(
        "Demo search",
        &format!(
            r#"<h1>Search the shop</h1>
<form id="search"><input id="q" name="q" placeholder="lamp, kettle..."><button>Search</button></form>
<div class="products" id="results"></div>
<button class="more" id="more" hidden>Load more</button>
<script>
const all = {data};
let found = [], shown = 0;
function show(n) {{
  const box = document.getElementById('results');
  for (const p of found.slice(shown, shown + n)) {{
    box.insertAdjacentHTML('beforeend',
      `<div class="product-card"><a href="/demo/product/${{p.n}}"><h2 class="name">${{p.name}}</h2></a><span class="price">${{p.price}}</span></div>`);
  }}
  shown = Math.min(found.length, shown + n);
  document.getElementById('more').hidden = shown >= found.length;
}}
document.getElementById('search').addEventListener('submit', e => {{
  e.preventDefault();
  const q = document.getElementById('q').value.trim().toLowerCase();
  found = all.filter(p => p.name.toLowerCase().includes(q));
  shown = 0;
  document.getElementById('results').innerHTML = '';
  setTimeout(() => show(4), 200);
}});
document.getElementById('more').addEventListener('click', () => setTimeout(() => show(4), 200));
</script>"#
        ),
    )
}
