module github.com/httpstate/httpstate/bench

go 1.26.0

require github.com/httpstate/httpstate v0.0.0

replace github.com/httpstate/httpstate => ../
