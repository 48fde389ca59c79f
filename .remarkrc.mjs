// The link check (npm run check:links; pre-commit and CI): every relative link in every Markdown
// file names a file that exists, and every #anchor a heading that exists, offline.
import remarkValidateLinks from 'remark-validate-links';

export default {
  plugins: [[remarkValidateLinks, { repository: false }]],
};
