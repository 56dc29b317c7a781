// bilingualSummary: English text, then the Chinese in full-width parentheses,
// and nothing after them: `Publish a checklist（发布清单）` (API-GUIDE.md).
// The English part starts with a capital letter and holds no Han characters;
// the parenthesised part holds at least one. Given: an operation's summary.
const shape = /^[A-Z][^\p{Script=Han}（）]*[^\s（）]（[^（）]*\p{Script=Han}[^（）]*）$/u;

export default function bilingualSummary(summary) {
  if (typeof summary !== 'string' || summary.trim() === '') {
    return [{ message: 'an operation needs a summary in English and Chinese: `Publish a checklist（发布清单）`' }];
  }
  if (!shape.test(summary)) {
    return [{
      message: `summary "${summary}" is not English followed by Chinese in full-width parentheses, as \`Publish a checklist（发布清单）\``,
    }];
  }
}
