<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an RSS or Atom feed of this site as a page when someone opens it in a browser.
     Feed readers ignore this file. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
<xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
<xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
<xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
<xsl:template match="/">
<html lang="{{ site.language or 'en' }}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="$title"/> (web feed)</title>
<style>
{% include "style.css" %}.feed-note{border:1px solid var(--rule);border-radius:.4rem;padding:.4rem 1rem;margin-top:1.2rem}
.feed-url{display:block;overflow-x:auto;padding:.5rem;border:1px solid var(--rule);border-radius:.3rem;user-select:all}
</style>
</head>
<body>
<header class="site"><nav aria-label="Site"><a class="home" href="{{ site.url }}">{{ site.title }}</a></nav></header>
<main>
<section class="feed-note">
<p><strong>This is a web feed.</strong> Feed readers check it for new articles, so you never miss one and need no account or e-mail.</p>
<p>To subscribe, copy this address into a feed reader (for example NetNewsWire, Feedly, Inoreader, Thunderbird or Newsboat):</p>
<code class="feed-url"><xsl:value-of select="$self"/></code>
</section>
<h1><xsl:value-of select="$title"/></h1>
<p class="meta"><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
<ul class="articles">
<xsl:for-each select="/rss/channel/item">
<li>
<h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
<p class="meta"><xsl:value-of select="pubDate"/></p>
</li>
</xsl:for-each>
<xsl:for-each select="/atom:feed/atom:entry">
<li>
<h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
<p class="meta"><xsl:value-of select="substring(atom:published, 1, 10)"/></p>
</li>
</xsl:for-each>
</ul>
<xsl:for-each select="(/rss/channel/atom:link | /atom:feed/atom:link)[@rel='prev-archive']">
<p><a href="{@href}">Older articles</a></p>
</xsl:for-each>
</main>
<footer class="site">
<p><a href="{{ site.url }}">{{ site.title }}</a> · this page is the feed itself, styled for people.</p>
</footer>
</body>
</html>
</xsl:template>
</xsl:stylesheet>
