<?xml version="1.0" encoding="UTF-8"?>
<!--
  newsfeed's feed stylesheet: a browser that opens an RSS or Atom feed of
  newsfeed's shows it through this as a page; feed readers ignore it.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
<xsl:output method="html" encoding="UTF-8" indent="yes"
    doctype-system="about:legacy-compat"/>

<xsl:template match="/">
  <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
  <xsl:variable name="self" select="rss/channel/atom:link[@rel='self']/@href | atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="home" select="rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href"/>
  <html>
  <xsl:attribute name="lang">
    <xsl:choose>
      <xsl:when test="rss/channel/language"><xsl:value-of select="rss/channel/language"/></xsl:when>
      <xsl:when test="atom:feed/@xml:lang"><xsl:value-of select="atom:feed/@xml:lang"/></xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:attribute>
  <head>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <title><xsl:value-of select="$title"/></title>
    <style>
      body { font: 16px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
      .note { background: #fff8dc; border: 1px solid #e8d9a0; padding: .6rem .9rem; border-radius: 4px; }
      .note code { user-select: all; word-break: break-all; }
      ol { padding-left: 1.2rem; }
      li { margin: 0 0 1rem; }
      time { color: #666; font-size: .9em; }
      .summary { margin: .2rem 0 0; color: #333; }
    </style>
  </head>
  <body>
    <h1><xsl:value-of select="$title"/></h1>
    <p class="note">This is a web feed. To subscribe, copy its address into your feed reader:
      <code><xsl:value-of select="$self"/></code></p>
    <p><xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/>
      (<a href="{$home}">all feeds</a>)</p>
    <ol>
      <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
    </ol>
  </body>
  </html>
</xsl:template>

<xsl:template match="item">
  <li>
    <a href="{link}"><xsl:value-of select="title"/></a><br/>
    <time><xsl:value-of select="pubDate"/></time>
    <p class="summary"><xsl:value-of select="description" disable-output-escaping="yes"/></p>
  </li>
</xsl:template>

<xsl:template match="atom:entry">
  <li>
    <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a><br/>
    <time datetime="{atom:published}"><xsl:value-of select="atom:published"/></time>
    <p class="summary"><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></p>
  </li>
</xsl:template>

</xsl:stylesheet>
