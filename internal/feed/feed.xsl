<?xml version="1.0" encoding="utf-8"?>
<!--
  The page a person sees on opening an RSS 2.0 or Atom 1.0 feed of pressroom
  in a browser: what a feed is, how to subscribe, the feed's address to copy,
  and its items. XSLT 1.0, the version browsers run. Right to left when the
  feed's language is written so; Atom entries carry their own language.

  The style and script elements below are shared with index.html: pages.go
  takes them from this file, and feed.PageSecurityPolicy allows them by their hash
  (internal/feed's tests keep it in step). Keep '<' and '&' out of both, so
  that their text here is byte for byte the text the browser hashes.

  Chromium 156 adds an xslt-warning-banner element to every page made by
  XSLT (the feature is deprecated). The page's Content-Security-Policy
  refuses the banner's inline styles (and its close button's inline
  handler), so unstyled it would sit in the middle of the window, over the
  items: the style's last rule docks it at the bottom instead, still shown.
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:fh="http://purl.org/syndication/history/1.0"
  exclude-result-prefixes="atom dc fh">

  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat" indent="no"/>

  <!-- Base language subtags written right to left (their likely script is
       Arabic, Hebrew, Syriac, Thaana, N'Ko, Adlam, Hanifi Rohingya, Mandaic
       or Samaritan), and those scripts' subtags, which decide when a tag
       names its script (ku-Arab, az-Arab; ar-Latn is left to right).
       TestStylesheetDirection keeps the list equal to what Go decides. -->
  <xsl:variable name="rtl-languages" select="' aeb apc apd ar arb arq ary arz avl bal bcc bej bft bgn bqi brh cja ckb cld dcc dgl dgo doi dv fa fia fub gbz gjk gju glk gwc gwt haz he hnd hno iw ji kby kdh khw ks kvx kxp lad lah lki lrc luz mde mfa mki mvy myz mzn nqo oru ota pbu pes phl pnb prd ps rhg rmt scl sd sdh shu skr smp swb syr trw ug ur wni ydd yi zdj '"/>
  <xsl:variable name="rtl-scripts" select="' adlm arab hebr mand nkoo rohg samr syrc thaa '"/>

  <xsl:variable name="rss" select="/rss/channel"/>
  <xsl:variable name="atom" select="/atom:feed"/>
  <xsl:variable name="title" select="normalize-space(($rss/title | $atom/atom:title)[1])"/>
  <xsl:variable name="description" select="normalize-space(($rss/description | $atom/atom:subtitle)[1])"/>
  <xsl:variable name="lang" select="normalize-space(($rss/language | $atom/@xml:lang)[1])"/>
  <xsl:variable name="base-lang" select="substring-before(concat(translate($lang, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ_', 'abcdefghijklmnopqrstuvwxyz-'), '-'), '-')"/>
  <xsl:variable name="dir">
    <xsl:call-template name="direction">
      <xsl:with-param name="lang" select="$lang"/>
    </xsl:call-template>
  </xsl:variable>
  <xsl:variable name="links" select="$rss/atom:link | $atom/atom:link"/>
  <xsl:variable name="self" select="normalize-space($links[@rel = 'self'][1]/@href)"/>
  <xsl:variable name="home" select="normalize-space(($rss/link | $atom/atom:link[@rel = 'alternate' or not(@rel)]/@href)[1])"/>
  <xsl:variable name="archived" select="boolean($rss/fh:archive | $atom/fh:archive)"/>
  <!-- What to subscribe to: the feed itself, or the current feed when this
       is an archive page (RFC 5005), which never changes. -->
  <xsl:variable name="current" select="normalize-space($links[@rel = 'current'][1]/@href)"/>
  <xsl:variable name="address">
    <xsl:choose>
      <xsl:when test="$archived and $current != ''"><xsl:value-of select="$current"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$self"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <!-- Where the feeds are served: the stylesheet's own folder, read from
       the processing instruction that links it (href=".../feed.xsl"). -->
  <xsl:variable name="root" select="substring-before(substring-after(/processing-instruction('xml-stylesheet')[contains(., 'feed.xsl')][1], 'href=&quot;'), 'feed.xsl&quot;')"/>

  <xsl:template match="/">
    <html>
      <xsl:if test="$lang != ''">
        <xsl:attribute name="lang"><xsl:value-of select="$lang"/></xsl:attribute>
      </xsl:if>
      <xsl:attribute name="dir"><xsl:value-of select="$dir"/></xsl:attribute>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/></title>
<style>
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--link:#0550ae;--box:#eef4fb}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--link:#4493f8;--box:#151f2d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Arabic",Tahoma,sans-serif}
main{max-width:46rem;margin:0 auto;padding:2rem 1rem 6rem}
a{color:var(--link)}
h1{font-size:1.75rem;line-height:1.25;margin:.25rem 0 .5rem}
h2{font-size:1.15rem;margin:2.25rem 0 .5rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;line-height:1.4;margin:0}
ul,ol{list-style:none;margin:0;padding:0}
.kind{margin:0;color:var(--muted);font-size:.8rem;letter-spacing:.05em;text-transform:uppercase}
.lede,.meta,footer{color:var(--muted)}
.lede{margin:0}
.about{margin:1.5rem 0;padding:1rem 1.25rem;border-radius:.75rem;background:var(--box)}
.about h2{margin:0 0 .25rem;padding:0;border:0}
.about p{margin:.4rem 0}
.address{display:flex;gap:.5rem;margin-top:.75rem}
.address input{flex:1;min-width:0;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg);font:.9rem/1.4 ui-monospace,Menlo,Consolas,monospace}
button{padding:.2rem .6rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg);font:inherit;font-size:.8rem;cursor:pointer}
button:hover,button:focus-visible{border-color:var(--link)}
.pages{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;margin:1rem 0}
.items li{padding:.9rem 0;border-bottom:1px solid var(--line)}
.meta{margin:.1rem 0 0;font-size:.85rem}
.summary{margin:.35rem 0 0}
.feeds li{display:flex;flex-wrap:wrap;align-items:center;gap:.35rem .75rem;padding:.55rem 0;border-bottom:1px solid var(--line)}
.label{font-weight:600}
.badge{padding:0 .5rem;border:1px solid var(--line);border-radius:1rem;color:var(--muted);font-size:.75rem}
.formats{display:flex;flex-wrap:wrap;gap:.35rem .9rem;margin-inline-start:auto}
.format{display:inline-flex;align-items:center;gap:.3rem}
footer{margin-top:2.5rem;font-size:.85rem}
xslt-warning-banner{inset:auto 0 0;width:auto;max-width:none;margin:0;padding:.4rem 1rem;border:0;border-top:3px solid #d9534f;background:var(--box);color:var(--fg);font:.8rem/1.4 system-ui,sans-serif}
</style>
      </head>
      <body>
        <main>
          <header>
            <p class="kind" lang="en">
              <xsl:choose>
                <xsl:when test="$archived">Feed archive</xsl:when>
                <xsl:otherwise>Web feed</xsl:otherwise>
              </xsl:choose>
              <xsl:text> · </xsl:text>
              <xsl:choose>
                <xsl:when test="$rss">RSS 2.0</xsl:when>
                <xsl:otherwise>Atom 1.0</xsl:otherwise>
              </xsl:choose>
            </p>
            <h1><bdi><xsl:value-of select="$title"/></bdi></h1>
            <xsl:if test="$description != '' and $description != $title">
              <p class="lede"><bdi><xsl:value-of select="$description"/></bdi></p>
            </xsl:if>
          </header>

          <section class="about" aria-labelledby="about">
            <h2 id="about" lang="en">How to subscribe</h2>
            <xsl:choose>
              <xsl:when test="$base-lang = 'ar'">
                <p lang="ar" dir="rtl">هذه الصفحة خلاصة ويب: تتيح لك متابعة هذا الموقع في قارئ خلاصات، فتظهر فيه المقالات الجديدة فور نشرها، دون حساب ولا بريد إلكتروني. للاشتراك، انسخ العنوان أدناه والصقه في قارئ الخلاصات.</p>
              </xsl:when>
              <xsl:when test="$base-lang = 'fr'">
                <p lang="fr" dir="ltr">Cette page est un flux web&#160;: il permet de suivre ce site dans un lecteur de flux, où les nouveaux articles apparaissent dès leur publication, sans compte ni adresse e-mail. Pour vous abonner, copiez l’adresse ci-dessous dans votre lecteur de flux.</p>
              </xsl:when>
            </xsl:choose>
            <p lang="en" dir="ltr">This page is a web feed: it lets you follow this site in a feed reader, where new articles show up as soon as they are published, with no account and no email. To subscribe, copy the address below into your feed reader.</p>
            <xsl:if test="$address != ''">
              <div class="address" dir="ltr">
                <input type="text" readonly="readonly" id="address" aria-label="Feed address" value="{$address}"/>
                <button type="button" data-copy="{$address}" hidden="hidden" lang="en">Copy</button>
              </div>
            </xsl:if>
          </section>

          <xsl:if test="$links[@rel = 'prev-archive' or @rel = 'next-archive' or @rel = 'current']">
            <nav class="pages" lang="en" aria-label="Archive pages">
              <xsl:if test="$archived and $current != ''">
                <a href="{$current}">Current feed</a>
              </xsl:if>
              <xsl:if test="$links[@rel = 'next-archive']">
                <a href="{$links[@rel = 'next-archive'][1]/@href}">Newer items</a>
              </xsl:if>
              <xsl:if test="$links[@rel = 'prev-archive']">
                <a href="{$links[@rel = 'prev-archive'][1]/@href}">Older items</a>
              </xsl:if>
            </nav>
          </xsl:if>

          <section aria-labelledby="items">
            <h2 id="items" lang="en">
              <xsl:choose>
                <xsl:when test="$archived">Items of this archive page</xsl:when>
                <xsl:otherwise>Latest items</xsl:otherwise>
              </xsl:choose>
            </h2>
            <xsl:choose>
              <xsl:when test="$rss/item | $atom/atom:entry">
                <ol class="items">
                  <xsl:apply-templates select="$rss/item | $atom/atom:entry"/>
                </ol>
              </xsl:when>
              <xsl:otherwise>
                <p lang="en">No items yet</p>
              </xsl:otherwise>
            </xsl:choose>
          </section>

          <footer lang="en">
            <xsl:if test="$home != ''">
              <a href="{$home}">Visit the website</a>
            </xsl:if>
            <xsl:if test="$home != '' and $root != ''"><xsl:text> · </xsl:text></xsl:if>
            <xsl:if test="$root != ''">
              <a href="{$root}index.html">Every feed of this site</a>
            </xsl:if>
          </footer>
        </main>
<script>
for (const b of document.querySelectorAll("button[data-copy]")) {
  const label = b.textContent;
  b.hidden = false;
  b.addEventListener("click", () => {
    const c = navigator.clipboard;
    (c ? c.writeText(b.dataset.copy) : Promise.reject()).then(
      () => { b.textContent = "Copied"; setTimeout(() => { b.textContent = label; }, 2000); },
      () => { window.prompt("Copy this address:", b.dataset.copy); });
  });
}
</script>
      </body>
    </html>
  </xsl:template>

  <!-- An RSS item has no language of its own: it takes the direction of
       its title's first letter (a site feed mixes languages). -->
  <xsl:template match="item">
    <li dir="auto">
      <h3>
        <xsl:call-template name="link">
          <xsl:with-param name="href" select="normalize-space((link | guid[not(@isPermaLink = 'false')])[1])"/>
          <xsl:with-param name="text" select="normalize-space(title)"/>
        </xsl:call-template>
      </h3>
      <xsl:call-template name="meta">
        <xsl:with-param name="date">
          <xsl:call-template name="rfc822">
            <xsl:with-param name="d" select="normalize-space(pubDate)"/>
          </xsl:call-template>
        </xsl:with-param>
        <xsl:with-param name="raw" select="normalize-space(pubDate)"/>
        <xsl:with-param name="authors" select="dc:creator"/>
      </xsl:call-template>
      <xsl:if test="normalize-space(description) != ''">
        <p class="summary">
          <xsl:call-template name="text-of-html">
            <xsl:with-param name="s" select="normalize-space(description)"/>
          </xsl:call-template>
        </p>
      </xsl:if>
    </li>
  </xsl:template>

  <!-- An Atom entry, in its own language when it declares one. -->
  <xsl:template match="atom:entry">
    <xsl:variable name="own" select="normalize-space(@xml:lang)"/>
    <li>
      <xsl:attribute name="dir">
        <xsl:choose>
          <xsl:when test="$own != ''">
            <xsl:call-template name="direction">
              <xsl:with-param name="lang" select="$own"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>auto</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <xsl:if test="$own != ''">
        <xsl:attribute name="lang"><xsl:value-of select="$own"/></xsl:attribute>
      </xsl:if>
      <h3>
        <xsl:call-template name="link">
          <xsl:with-param name="href" select="normalize-space(atom:link[@rel = 'alternate' or not(@rel)][1]/@href)"/>
          <xsl:with-param name="text" select="normalize-space(atom:title)"/>
        </xsl:call-template>
      </h3>
      <xsl:variable name="when" select="normalize-space((atom:published | atom:updated)[1])"/>
      <xsl:call-template name="meta">
        <xsl:with-param name="date" select="substring($when, 1, 10)"/>
        <xsl:with-param name="raw" select="$when"/>
        <xsl:with-param name="authors" select="atom:author/atom:name"/>
      </xsl:call-template>
      <xsl:variable name="summary" select="normalize-space(atom:summary)"/>
      <xsl:if test="$summary != ''">
        <p class="summary">
          <xsl:choose>
            <xsl:when test="atom:summary/@type = 'html'">
              <xsl:call-template name="text-of-html">
                <xsl:with-param name="s" select="$summary"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="$summary"/></xsl:otherwise>
          </xsl:choose>
        </p>
      </xsl:if>
    </li>
  </xsl:template>

  <xsl:template name="link">
    <xsl:param name="href"/>
    <xsl:param name="text"/>
    <xsl:variable name="label">
      <xsl:value-of select="$text"/>
      <xsl:if test="$text = ''"><xsl:value-of select="$href"/></xsl:if>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="starts-with($href, 'https://') or starts-with($href, 'http://')">
        <a href="{$href}"><xsl:value-of select="$label"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$label"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The date (YYYY-MM-DD, in the offset the feed gives) and authors. -->
  <xsl:template name="meta">
    <xsl:param name="date"/>
    <xsl:param name="raw"/>
    <xsl:param name="authors"/>
    <xsl:if test="$date != '' or $authors">
      <p class="meta">
        <xsl:choose>
          <xsl:when test="string-length($date) = 10 and translate($date, '0123456789', '') = '--'">
            <time datetime="{$date}"><xsl:value-of select="$date"/></time>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="$raw"/></xsl:otherwise>
        </xsl:choose>
        <xsl:for-each select="$authors">
          <xsl:text> · </xsl:text>
          <bdi><xsl:value-of select="normalize-space(.)"/></bdi>
        </xsl:for-each>
      </p>
    </xsl:if>
  </xsl:template>

  <!-- rfc822 turns "Thu, 19 Mar 2026 11:30:00 +0000" into 2026-03-19 (or
       nothing, when the date has another shape). -->
  <xsl:template name="rfc822">
    <xsl:param name="d"/>
    <xsl:variable name="s">
      <xsl:choose>
        <xsl:when test="contains($d, ',')"><xsl:value-of select="normalize-space(substring-after($d, ','))"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="day" select="substring-before($s, ' ')"/>
    <xsl:variable name="rest" select="substring-after($s, ' ')"/>
    <xsl:variable name="mon" select="substring-before($rest, ' ')"/>
    <xsl:variable name="year" select="substring-before(concat(substring-after($rest, ' '), ' '), ' ')"/>
    <xsl:variable name="months" select="'JanFebMarAprMayJunJulAugSepOctNovDec'"/>
    <xsl:if test="string-length($mon) = 3 and contains($months, $mon) and string-length(substring-before($months, $mon)) mod 3 = 0 and string-length($year) = 4 and number($year) = number($year) and number($day) = number($day)">
      <xsl:value-of select="concat($year, '-', format-number(string-length(substring-before($months, $mon)) div 3 + 1, '00'), '-', format-number($day, '00'))"/>
    </xsl:if>
  </xsl:template>

  <!-- text-of-html is the text of an HTML fragment (an RSS description):
       its tags dropped, then the entities pressroom and most feeds write
       read back, so that l&#39;été shows as l'été. -->
  <xsl:template name="text-of-html">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '&lt;') and contains(substring-after($s, '&lt;'), '&gt;')">
        <xsl:call-template name="entities">
          <xsl:with-param name="s" select="substring-before($s, '&lt;')"/>
        </xsl:call-template>
        <xsl:call-template name="text-of-html">
          <xsl:with-param name="s" select="substring-after(substring-after($s, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="entities">
          <xsl:with-param name="s" select="$s"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="entities">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '&amp;') and contains(substring-after($s, '&amp;'), ';')">
        <xsl:variable name="name" select="substring-before(substring-after($s, '&amp;'), ';')"/>
        <xsl:value-of select="substring-before($s, '&amp;')"/>
        <xsl:choose>
          <xsl:when test="$name = 'amp'">&amp;</xsl:when>
          <xsl:when test="$name = 'lt'">&lt;</xsl:when>
          <xsl:when test="$name = 'gt'">&gt;</xsl:when>
          <xsl:when test="$name = 'quot' or $name = '#34'">"</xsl:when>
          <xsl:when test="$name = 'apos' or $name = '#39'">'</xsl:when>
          <xsl:when test="$name = 'nbsp' or $name = '#160'">&#160;</xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('&amp;', $name, ';')"/></xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="entities">
          <xsl:with-param name="s" select="substring-after(substring-after($s, '&amp;'), ';')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- direction is "rtl" or "ltr" for a BCP 47 tag. -->
  <xsl:template name="direction">
    <xsl:param name="lang"/>
    <xsl:variable name="l" select="concat(translate($lang, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ_', 'abcdefghijklmnopqrstuvwxyz-'), '-')"/>
    <xsl:variable name="base" select="substring-before($l, '-')"/>
    <xsl:variable name="second" select="substring-before(substring-after($l, '-'), '-')"/>
    <xsl:choose>
      <xsl:when test="string-length($second) = 4 and contains($rtl-scripts, concat(' ', $second, ' '))">rtl</xsl:when>
      <xsl:when test="string-length($second) = 4">ltr</xsl:when>
      <xsl:when test="$base != '' and contains($rtl-languages, concat(' ', $base, ' '))">rtl</xsl:when>
      <xsl:otherwise>ltr</xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
