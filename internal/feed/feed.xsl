<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8"/>
  <xsl:template match="/">
    <html>
      <head><title><xsl:value-of select="/rss/channel/title|/atom:feed/atom:title"/></title></head>
      <body>
        <h1><xsl:value-of select="/rss/channel/title|/atom:feed/atom:title"/></h1>
        <ul>
          <xsl:for-each select="/rss/channel/item|/atom:feed/atom:entry">
            <li><xsl:value-of select="title|atom:title"/></li>
          </xsl:for-each>
        </ul>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
