# A model with class methods the controller calls on every request.
class Product < ActiveRecord::Base
  def self.price_stats
    prices = pluck(:price)
    { mean: prices.sum.fdiv(prices.size), volatility: volatility(prices) }
  end

  def self.volatility(prices)
    mean = prices.sum.fdiv(prices.size)
    Math.sqrt(prices.sum { |p| (p - mean)**2 } / prices.size)
  end

  def label
    "#{name} (#{price})"
  end
end
