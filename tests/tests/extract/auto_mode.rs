//! Auto mode on hand-written pages: each branch (JSON-LD, microdata, Open
//! Graph, repeated records, the page) and the awkward inputs.

use crate::common;

use common::*;
use scraper_server::extract::FieldType::{Boolean, Datetime, Integer, Number, String as Text, Url};
use scraper_server::extract::Method;
use serde_json::json;

#[test]
fn product_cards_prefer_the_live_price_and_resolve_links() {
    let spec = auto_spec(&[
        ("name", Text),
        ("price", Number),
        ("url", Url),
        ("image", Url),
        ("rating", Number),
    ]);
    let x = run(
        &fixture("product_cards.html"),
        "https://shop.test/lamps/",
        &spec,
    );
    assert_eq!(x.method, Method::Repeated);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Arc Lamp", "price": 99.0, "url": "https://shop.test/lamps/lamps/arc-lamp",
                   "image": "https://shop.test/img/arc.jpg", "rating": 4.5}),
            json!({"name": "Desk Lamp & Shade", "price": 1299.5, "url": "https://shop.test/lamps/lamps/desk-lamp",
                   "image": "https://shop.test/img/desk.jpg", "rating": 3.0}),
            json!({"name": "Floor Lamp “Tall”", "price": 59.99, "url": "https://shop.test/floor-lamp.html",
                   "image": "https://cdn.shop.test/floor.jpg", "rating": 5.0}),
        ]
    );
    assert_eq!(x.uncoerced, 0);
}

#[test]
fn table_rows_are_records_and_columns_name_the_fields() {
    let spec = auto_spec(&[
        ("name", Text),
        ("sku", Text),
        ("price", Number),
        ("in_stock", Boolean),
        ("updated", Datetime),
    ]);
    let x = run(&fixture("table.html"), "https://shop.test/prices", &spec);
    assert_eq!(x.method, Method::Repeated);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Oak Chair", "sku": "SKU-001", "price": 1299.0, "in_stock": true, "updated": "2026-03-18"}),
            json!({"name": "Steel Lamp", "sku": "SKU-002", "price": 12.5, "in_stock": false, "updated": "2026-03-19"}),
            json!({"name": "Wool Rug", "sku": "SKU-003", "price": 79.0, "in_stock": false, "updated": "2026-03-20"}),
            json!({"name": "Glass Mug", "sku": "SKU-004", "price": null, "in_stock": true, "updated": null}),
        ]
    );
    // "Call us" and "soon" are on the page but are no price and no date.
    assert_eq!(x.uncoerced, 2);
}

#[test]
fn list_items_are_records() {
    let spec = auto_spec(&[
        ("title", Text),
        ("url", Url),
        ("date", Datetime),
        ("summary", Text),
    ]);
    let x = run(&fixture("list.html"), "https://blog.test/posts/", &spec);
    assert_eq!(x.method, Method::Repeated);
    assert_eq!(
        items(&x),
        vec![
            json!({"title": "First post", "url": "https://blog.test/posts/first", "date": "2026-03-18T09:30:00Z", "summary": "Hello world."}),
            json!({"title": "Second post", "url": "https://blog.test/posts/second", "date": "2026-03-19", "summary": "More news."}),
            json!({"title": "Third post", "url": "https://blog.test/posts/third", "date": "2026-03-20", "summary": "Last one."}),
        ]
    );
}

#[test]
fn json_ld_product_with_a_list_of_offers() {
    let spec = auto_spec(&[
        ("name", Text),
        ("price", Number),
        ("currency", Text),
        ("rating", Number),
        ("reviews", Integer),
        ("brand", Text),
        ("image", Url),
        ("in_stock", Boolean),
        ("url", Url),
    ]);
    let x = run(
        &fixture("jsonld_product_offers.html"),
        "https://shop.test/shoes/trail?ref=x",
        &spec,
    );
    assert_eq!(x.method, Method::JsonLd);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Trail Shoe", "price": 89.95, "currency": "EUR", "rating": 4.6, "reviews": 212,
                    "brand": "Peak", "image": "https://shop.test/img/trail.jpg", "in_stock": true,
                    "url": "https://shop.test/shoes/trail"})
        ]
    );
}

#[test]
fn json_ld_graph_follows_references_and_skips_site_entities() {
    let spec = auto_spec(&[("name", Text), ("price", Number), ("url", Url)]);
    let x = run(
        &fixture("jsonld_graph.html"),
        "https://shop.test/kettle",
        &spec,
    );
    assert_eq!(x.method, Method::JsonLd);
    assert_eq!(
        items(&x),
        vec![json!({"name": "Copper Kettle", "price": 45, "url": "https://shop.test/kettle"})]
    );
}

#[test]
fn json_ld_item_list_gives_one_record_per_element() {
    let spec = auto_spec(&[("name", Text), ("price", Number), ("url", Url)]);
    let x = run(
        &fixture("jsonld_itemlist.html"),
        "https://shop.test/bags/",
        &spec,
    );
    assert_eq!(x.method, Method::JsonLd);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Canvas Tote", "price": 19.0, "url": "https://shop.test/bags/tote"}),
            json!({"name": "Leather Satchel", "price": 149.0, "url": "https://shop.test/bags/satchel"}),
            json!({"name": "Wool Pouch", "price": 9.5, "url": "https://shop.test/bags/pouch"}),
        ]
    );
}

#[test]
fn microdata_items_with_nested_offers_and_content_attributes() {
    let spec = auto_spec(&[
        ("name", Text),
        ("price", Number),
        ("url", Url),
        ("image", Url),
        ("currency", Text),
        ("in_stock", Boolean),
        ("rating", Number),
        ("review_count", Integer),
    ]);
    let x = run(&fixture("microdata.html"), "https://shop.test/mugs/", &spec);
    assert_eq!(x.method, Method::Microdata);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Blue Mug", "price": 12.0, "url": "https://shop.test/mugs/blue",
                   "image": "https://shop.test/img/blue.jpg", "currency": "USD", "in_stock": true,
                   "rating": 4.2, "review_count": 17}),
            json!({"name": "Red Mug", "price": 14.5, "url": "https://shop.test/mugs/red", "image": null,
                   "currency": null, "in_stock": false, "rating": null, "review_count": null}),
        ]
    );
}

#[test]
fn open_graph_single_product_page() {
    let spec = auto_spec(&[
        ("title", Text),
        ("price", Number),
        ("url", Url),
        ("image", Url),
        ("description", Text),
    ]);
    let x = run(
        &fixture("opengraph.html"),
        "https://home.test/p/nordic-blanket?utm=1",
        &spec,
    );
    assert_eq!(x.method, Method::OpenGraph);
    assert_eq!(
        items(&x),
        vec![
            json!({"title": "Nordic Wool Blanket", "price": 129.0, "url": "https://home.test/p/nordic-blanket",
                    "image": "https://home.test/img/blanket.jpg", "description": "Warm and soft."})
        ]
    );
}

#[test]
fn structured_data_without_the_schemas_fields_is_not_used() {
    // The breadcrumb list and the Open Graph title hold no price: the page's
    // own price is read instead.
    let spec = auto_spec(&[("name", Text), ("price", Number)]);
    let html = r#"<html><head><meta property="og:type" content="article"><meta property="og:title" content="A story">
        <script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "name": "Home", "item": "/"}]}</script>
        </head><body><h1 class="title">Pot</h1><p class="price">USD 79</p></body></html>"#;
    let x = run(html, "https://shop.test/pot", &spec);
    assert_eq!(x.method, Method::Page);
    assert_eq!(items(&x), vec![json!({"name": "Pot", "price": 79.0})]);
}

#[test]
fn broken_markup_is_read_as_a_browser_would() {
    let spec = auto_spec(&[("name", Text), ("price", Number)]);
    let x = run(&fixture("broken.html"), "https://shop.test/", &spec);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "First bold", "price": 5.0}),
            json!({"name": "Second", "price": 6.0}),
            json!({"name": "Third", "price": 7.0}),
        ]
    );
}

#[test]
fn empty_pages_give_no_records() {
    for html in [
        "",
        "   \n",
        "<html></html>",
        "<html><head><title></title></head><body></body></html>",
    ] {
        for spec in [
            auto_spec(&[("name", Text), ("price", Number)]),
            spec_from_json(json!({})),
        ] {
            let x = run(html, "https://shop.test/", &spec);
            assert!(x.items.is_empty(), "{html:?}: {x:?}");
            assert_eq!(x.method, Method::Nothing);
        }
    }
}

#[test]
fn a_page_without_records_gives_its_title_under_the_default_schema() {
    let html = "<html><head><title>About us</title><link rel=canonical href='/about'></head>\
                <body><nav><a href='/'>Home</a><a href='/x'>X</a></nav><h1>About</h1><p>We sell things.</p></body></html>";
    let x = run(
        html,
        "https://shop.test/about?x=1",
        &spec_from_json(json!({})),
    );
    assert_eq!(x.method, Method::Page);
    assert_eq!(
        items(&x),
        vec![json!({"title": "About", "url": "https://shop.test/about"})]
    );
}

#[test]
fn invisible_text_is_never_read() {
    let spec = auto_spec(&[("name", Text), ("price", Number)]);
    let x = run(&fixture("hidden.html"), "https://shop.test/", &spec);
    assert_eq!(
        items(&x),
        vec![json!({"name": "Visible Name", "price": 10.0})]
    );
}

/// windows-1252 as a fetcher would decode it before calling the engine.
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[test]
fn windows_1252_text_survives() {
    let path = format!(
        "{}/fixtures/extract/cafe-windows-1252.html",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture really is windows-1252"
    );
    let html = decode_windows_1252(&bytes);
    let spec = auto_spec(&[("name", Text), ("price", Number)]);
    let x = run(&html, "https://cafe.test/menu", &spec);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Crème brûlée", "price": 6.5}),
            json!({"name": "Café au lait – grand", "price": 3.2}),
        ]
    );
}

#[test]
fn base_element_changes_how_links_resolve() {
    let spec = auto_spec(&[("name", Text), ("url", Url)]);
    let html = r#"<html><head><base href="https://cdn.test/store/"></head><body><ul>
        <li><a href="a.html">A</a></li><li><a href="b.html">B</a></li></ul></body></html>"#;
    let x = run(html, "https://shop.test/x/y", &spec);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "A", "url": "https://cdn.test/store/a.html"}),
            json!({"name": "B", "url": "https://cdn.test/store/b.html"}),
        ]
    );
}

#[test]
fn grid_rows_of_cards_are_one_list() {
    let card = |n: u32| {
        format!(r#"<div class="card"><h3>Item {n}</h3><span class="price">${n}.00</span></div>"#)
    };
    let row = |a: u32| {
        format!(
            r#"<div class="row">{}{}{}</div>"#,
            card(a),
            card(a + 1),
            card(a + 2)
        )
    };
    let html = format!(
        "<html><body><main><div class='grid'>{}{}</div></main></body></html>",
        row(1),
        row(4)
    );
    let spec = auto_spec(&[("name", Text), ("price", Number)]);
    let x = run(&html, "https://shop.test/", &spec);
    let names: Vec<&str> = x
        .items
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Item 1", "Item 2", "Item 3", "Item 4", "Item 5", "Item 6"]
    );
}

#[test]
fn navigation_and_link_lists_are_not_products() {
    let html = r#"<html><body><header><nav><ul><li><a href="/a">A $1</a></li><li><a href="/b">B $2</a></li></ul></nav></header>
        <main><h1>Guide</h1><p>How to choose a chair.</p><ul><li><a href="/c1">Chairs</a></li><li><a href="/c2">Desks</a></li></ul></main>
        <footer><ul><li>$5 shipping</li><li>$9 returns</li></ul></footer></body></html>"#;
    let x = run(
        html,
        "https://shop.test/guide",
        &auto_spec(&[("name", Text), ("price", Number), ("url", Url)]),
    );
    assert!(x.items.is_empty(), "{x:?}");
}

#[test]
fn woocommerce_listing_with_sale_and_range_prices() {
    let spec = auto_spec(&[
        ("name", Text),
        ("price", Number),
        ("url", Url),
        ("image", Url),
    ]);
    let x = run(
        &fixture("woocommerce.html"),
        "https://woo.test/shop/",
        &spec,
    );
    assert_eq!(x.method, Method::Repeated);
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "Hoodie", "price": 42.0, "url": "https://woo.test/product/hoodie/",
                   "image": "https://woo.test/img/hoodie-324x324.jpg"}),
            json!({"name": "T-Shirt", "price": 18.0, "url": "https://woo.test/product/t-shirt/",
                   "image": "https://woo.test/img/tshirt-324x324.jpg"}),
            json!({"name": "Poster", "price": 1015.0, "url": "https://woo.test/product/poster/",
                   "image": "https://woo.test/img/poster-324x324.jpg"}),
        ]
    );
    assert_eq!(x.uncoerced, 0);
}

#[test]
fn prices_in_many_formats_and_struck_old_prices() {
    let spec = auto_spec(&[("name", Text), ("price", Number)]);
    let x = run(&fixture("prices.html"), "https://shop.test/", &spec);
    let prices: Vec<f64> = x
        .items
        .iter()
        .map(|i| i["price"].as_f64().unwrap())
        .collect();
    assert_eq!(
        prices,
        [
            1299.99, 1299.99, 79.0, 79.0, 12.5, 1299.99, 0.99, 1200.0, 1299.5, 10.0, 1299.0, 5.0
        ]
    );
    assert_eq!(x.items[0]["name"], json!("Item 0"));
}

#[test]
fn a_pages_h1_names_it_rather_than_a_byline() {
    let html = r#"<html><body><main><article><h1>Real title</h1><span class="author-name">Ann</span>
        <time datetime="2026-03-18">18 March</time><div class="comments"><span class="name">Bob</span></div>
        </article></main></body></html>"#;
    let x = run(
        html,
        "https://blog.test/a",
        &auto_spec(&[("title", Text), ("name", Text), ("date", Datetime)]),
    );
    assert_eq!(x.method, Method::Page);
    assert_eq!(
        items(&x),
        vec![json!({"title": "Real title", "name": "Real title", "date": "2026-03-18"})]
    );
}

#[test]
fn review_counts_are_read_from_running_text() {
    let html = r#"<div><div class="c"><h3>A</h3><span class="stars">4.5 / 5 (1,204 reviews)</span></div>
        <div class="c"><h3>B</h3><span class="stars">3.0 / 5 (7 ratings)</span></div></div>"#;
    let x = run(
        html,
        "https://shop.test/",
        &auto_spec(&[("name", Text), ("rating", Number), ("reviews", Integer)]),
    );
    assert_eq!(
        items(&x),
        vec![
            json!({"name": "A", "rating": 4.5, "reviews": 1204}),
            json!({"name": "B", "rating": 3.0, "reviews": 7}),
        ]
    );
}

#[test]
fn a_url_written_as_text_in_a_named_column_is_read() {
    let html = r#"<table><tr><th>Company</th><th>Website</th><th>Founded</th></tr>
        <tr><td>Acme</td><td>https://acme.test/</td><td>1999</td></tr>
        <tr><td>Globex</td><td>http://globex.test/about</td><td>2004</td></tr></table>"#;
    let spec = auto_spec(&[("company", Text), ("website", Url), ("founded", Integer)]);
    let x = run(html, "https://dir.test/", &spec);
    assert_eq!(
        items(&x),
        vec![
            json!({"company": "Acme", "website": "https://acme.test/", "founded": 1999}),
            json!({"company": "Globex", "website": "http://globex.test/about", "founded": 2004}),
        ]
    );
}
