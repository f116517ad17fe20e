// The category a resident's text most likely belongs to, while they type: the taxonomy's
// keywords it contains, longer (more specific) ones weighing more, as the hub itself decides.
export function suggest(text, categories) {
  let best = null
  let bestScore = 0
  for (const category of categories) {
    let score = 0
    for (const word of category.keywords) if (word && text.includes(word)) score += word.length
    if (score > bestScore) { best = category; bestScore = score }
  }
  return best
}
