// Crawlee (PlaywrightCrawler) peer for the render bench: every page loaded
// in Chromium (Debian's, at CHROME_BIN), one host from START_URL, robots.txt
// obeyed, name and price read from the rendered product pages, JSON lines
// written to OUT.
import { createWriteStream } from 'node:fs';
import { PlaywrightCrawler, Configuration, log } from 'crawlee';

const [start, out] = process.argv.slice(2);
const conc = Number(process.env.CONCURRENCY ?? 8);
const chrome = process.env.CHROME_BIN ?? '/usr/bin/chromium';
const sink = createWriteStream(out);
let pages = 0;
log.setLevel(log.LEVELS.WARNING);
const config = new Configuration({ persistStorage: false, purgeOnStart: true });
const crawler = new PlaywrightCrawler({
    minConcurrency: conc, maxConcurrency: conc, maxRequestRetries: 0,
    respectRobotsTxtFile: true, useSessionPool: false, persistCookiesPerSession: false,
    headless: true,
    launchContext: {
        launchOptions: {
            executablePath: chrome,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
        },
    },
    async requestHandler({ request, page, enqueueLinks }) {
        pages++;
        // The page has loaded (Crawlee waits for that): read it as it is.
        const [name, price] = await page.evaluate(() => [
            document.querySelector('h1.product-name')?.textContent ?? null,
            document.querySelector('.price')?.textContent ?? null,
        ]);
        if (name && price) {
            sink.write(JSON.stringify({ url: request.loadedUrl ?? request.url, name: name.trim(),
                price: Number(price.replace(/[^0-9.]/g, '')) }) + '\n');
        }
        await enqueueLinks({ strategy: 'same-hostname' });
    },
    failedRequestHandler() {},
}, config);
const t0 = Date.now();
await crawler.run([start]);
await new Promise((r) => sink.end(r));
console.log(`pages=${pages} elapsed=${((Date.now() - t0) / 1000).toFixed(2)}s (rendered pages)`);
