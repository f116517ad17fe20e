// Months as the hub names them (YYYY-MM), counted back from the hub's month.
export function monthsBack(month, count) {
  const [year, number] = month.split('-').map(Number)
  const months = []
  for (let back = count - 1; back >= 0; back -= 1) {
    const date = new Date(Date.UTC(year, number - 1 - back, 1))
    months.push(`${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`)
  }
  return months
}
