class ProductsController < ActionController::Base
  def index
    RailsShop.seed unless Product.connection.table_exists?(:products)
    @products = Product.order(:id).to_a
    @stats = Product.price_stats
  end
end
