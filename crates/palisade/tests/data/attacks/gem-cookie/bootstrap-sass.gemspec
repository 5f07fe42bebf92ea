Gem::Specification.new do |s|
  s.name = "bootstrap-sass"
  s.version = "3.2.0.3"
  s.files = ["lib/bootstrap-sass.rb"]
end
