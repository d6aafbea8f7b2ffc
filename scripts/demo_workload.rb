# The demo workload: two threads burning CPU in known methods, for at most 20 seconds.
class Report
  def self.render(rows)
    rows.map { |r| format_row(r) }.join("\n")
  end

  def self.format_row(row)
    row.map { |v| v.to_s.rjust(8) }.join("|")
  end
end

def fib(n)
  n < 2 ? n : fib(n - 1) + fib(n - 2)
end

deadline = Time.now + 20
worker = Thread.new do
  Report.render(Array.new(200) { |i| [i, i * i, i.to_s * 3] }) while Time.now < deadline
end
fib(24) while Time.now < deadline
worker.join
