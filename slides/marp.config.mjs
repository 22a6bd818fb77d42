// marp.config.mjs - the Marp settings scripts/slides uses for the decks (--config-file).
export default {
  // No raw HTML in decks: Markdown only, so a deck reads the same on a code host.
  html: false,
  // The course theme ("theme: sockchat" in each deck's front matter).
  themeSet: ['./sockchat.css'],
  options: {
    // A line break inside a paragraph is a space, as on a code host; Marp's default would make
    // it a hard break, so prose wrapped at 100 columns in the source would break mid-sentence.
    markdown: { breaks: false },
  },
};
