# A model with class methods the controller calls on every request.
class Product < ActiveRecord::Base
  def self.price_stats
    prices = pluck(:price)
    { mean: prices.sum.fdiv(prices.size), volatility: volatility(prices) }
  end

  # Over a window of the price series, as a dashboard would: enough work to be sampled.
  def self.volatility(prices)
    series = prices.cycle.first(prices.size * 50)
    mean = series.sum.fdiv(series.size)
    Math.sqrt(series.sum { |p| (p - mean)**2 } / series.size)
  end

  def label
    "#{name} (#{price})"
  end
end
