module github.com/example/colorlog

go 1.21
